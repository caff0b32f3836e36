package host

// HeaderTimeout is headerTimeout, for the external tests.
var HeaderTimeout = headerTimeout
