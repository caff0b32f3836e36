package worker

import (
	"context"
	"net/http"
)

// CF is the platform's request.cf object: what the edge knows about an incoming request
// (where the client is, how it connected). Locally nobody measured these, so a request gets
// a fixed, plausible object (DefaultCF), the runner's own (the --cf FILE flag,
// host.Options.CF), or one set on the request with WithCF (W-035). Field names in JSON are
// the platform's.
type CF struct {
	ASN            int    `json:"asn"`
	ASOrganization string `json:"asOrganization"`
	Colo           string `json:"colo"`
	Country        string `json:"country"`
	IsEUCountry    string `json:"isEUCountry,omitempty"`
	City           string `json:"city"`
	Continent      string `json:"continent"`
	Region         string `json:"region"`
	RegionCode     string `json:"regionCode"`
	MetroCode      string `json:"metroCode"`
	PostalCode     string `json:"postalCode"`
	Latitude       string `json:"latitude"`
	Longitude      string `json:"longitude"`
	Timezone       string `json:"timezone"`
	// HTTPProtocol and ClientAcceptEncoding describe the request itself; left empty, they
	// are filled from it.
	HTTPProtocol               string `json:"httpProtocol"`
	ClientAcceptEncoding       string `json:"clientAcceptEncoding"`
	TLSVersion                 string `json:"tlsVersion"`
	TLSCipher                  string `json:"tlsCipher"`
	ClientTCPRTT               int    `json:"clientTcpRtt"`
	RequestPriority            string `json:"requestPriority"`
	EdgeRequestKeepAliveStatus int    `json:"edgeRequestKeepAliveStatus"`
}

// DefaultCF is the cf object of a request when nothing else is configured: a client in
// London on a residential network, over TLS 1.3.
func DefaultCF() CF {
	return CF{
		ASN: 64512, ASOrganization: "Local Network", Colo: "LHR", Country: "GB", City: "London",
		Continent: "EU", Region: "England", RegionCode: "ENG", MetroCode: "0", PostalCode: "EC1A",
		Latitude: "51.50740", Longitude: "-0.12780", Timezone: "Europe/London",
		TLSVersion: "TLSv1.3", TLSCipher: "AEAD-AES128-GCM-SHA256", ClientTCPRTT: 1,
		RequestPriority: "weight=256;exclusive=1", EdgeRequestKeepAliveStatus: 1,
	}
}

type cfKey struct{}

// WithCF returns req carrying cf as its cf object, ahead of the runner's: how a test (or a
// worker calling another in process) sets the cf of one request.
func WithCF(req *http.Request, cf CF) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), cfKey{}, &cf))
}

// RequestCF returns req's cf object (W-035): the one set with WithCF, else the runner's for
// the invocation (ContextOptions.CF), else DefaultCF; HTTPProtocol and
// ClientAcceptEncoding, when empty, come from req. The result is the caller's own copy.
// It never returns nil.
func RequestCF(req *http.Request) *CF {
	ctx := req.Context()
	var cf CF
	if c, ok := ctx.Value(cfKey{}).(*CF); ok {
		cf = *c
	} else if c := ContextFrom(ctx); c != nil && c.inv.cf != nil {
		cf = *c.inv.cf
	} else {
		cf = DefaultCF()
	}
	if cf.HTTPProtocol == "" {
		cf.HTTPProtocol = req.Proto
	}
	if cf.ClientAcceptEncoding == "" {
		cf.ClientAcceptEncoding = req.Header.Get("Accept-Encoding")
	}
	return &cf
}
