package report

import "strings"

// DeviceIdentity is what a printer says about itself over IPP
// (Get-Printer-Attributes, RFC 8011) or, where IPP is closed, SNMP v2c
// (Printer MIB, HOST-RESOURCES-MIB): plain data, sanitized where it
// enters mfpcheck (package diag/device). "mfpcheck device" prints it; a
// check of a profile with a device address records it as
// Report.DeviceIdentity.
type DeviceIdentity struct {
	// Source is the protocol that answered: "ipp" or "snmp"; empty when
	// nothing answered (Error says why).
	Source string `json:"source"`
	// IPPClosed, when SNMP answered, is why IPP did not.
	IPPClosed    string `json:"ipp_closed,omitempty"`
	URI          string `json:"uri"`
	MakeAndModel string `json:"make_and_model,omitempty"`
	Firmware     string `json:"firmware,omitempty"`
	// ModelFrom and FirmwareFrom name the attribute or MIB object each
	// came from (printer-make-and-model, hrDeviceDescr, ...).
	ModelFrom    string `json:"model_from,omitempty"`
	FirmwareFrom string `json:"firmware_from,omitempty"`
	// Name, Serial, Description and ObjectID come from SNMP only:
	// prtGeneralPrinterName (else sysName), prtGeneralSerialNumber,
	// sysDescr, sysObjectID.
	Name            string   `json:"name,omitempty"`
	Serial          string   `json:"serial,omitempty"`
	Description     string   `json:"description,omitempty"`
	ObjectID        string   `json:"object_id,omitempty"`
	UUID            string   `json:"uuid,omitempty"`
	State           string   `json:"state,omitempty"`
	StateReasons    []string `json:"state_reasons,omitempty"`
	MoreInfo        string   `json:"more_info,omitempty"`
	DocumentFormats []string `json:"document_formats,omitempty"`
	// Error, in a report, is why the device's identity could not be read
	// (neither IPP nor SNMP answered in time); the fields above are then
	// empty but URI.
	Error string `json:"error,omitempty"`
}

// Supports says whether the printer lists the MIME type among its
// document-format-supported values.
func (id *DeviceIdentity) Supports(mime string) bool {
	for _, f := range id.DocumentFormats {
		if strings.EqualFold(f, mime) {
			return true
		}
	}
	return false
}
