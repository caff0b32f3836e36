package kv

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// validateKey applies the binding's checks on a key name (KV-004, KV-005) for method op.
func validateKey(op, key string) error {
	switch key {
	case "":
		return ErrEmptyKey
	case ".":
		return ErrDotKey
	case "..":
		return ErrDotDotKey
	}
	if err := validateKeyLength(op, key); err != nil {
		return err
	}
	return validateUTF8(op, key)
}

func validateKeyLength(op, key string) error {
	if len(key) > MaxKeySize {
		return newError(op, 414, ErrKeyTooLong, "UTF-8 encoded length of "+strconv.Itoa(len(key))+
			" exceeds key length limit of "+strconv.Itoa(MaxKeySize)+".")
	}
	return nil
}

// validateUTF8 refuses keys the platform could never be sent: a JavaScript string with a lone
// surrogate has no UTF-8 form, and the service answers this for it.
func validateUTF8(op, key string) error {
	if !utf8.ValidString(key) {
		return newError(op, 400, ErrInvalidKey, "Could not URL-decode key name")
	}
	return nil
}

// validateBulkKey is the service's own key check, which bulk reads get instead of the
// binding's TypeErrors (the binding sends bulk keys unchecked).
func validateBulkKey(key string) error {
	switch key {
	case "":
		return newError(opGetBulk, 400, ErrInvalidKey, "Key names must not be empty")
	case ".", "..":
		return newError(opGetBulk, 400, ErrInvalidKey, `Illegal key name "`+key+`". Please use a different name.`)
	}
	if err := validateKeyLength(opGetBulk, key); err != nil {
		return err
	}
	return validateUTF8(opGetBulk, key)
}

func (ns *Namespace) validateCacheTTL(op string, o *getOptions) error {
	if !o.cacheTTLSet {
		return nil
	}
	if o.cacheTTL < ns.minCacheTTL {
		return newError(op, 400, ErrInvalidCacheTTL, "Invalid cache_ttl of "+seconds(o.cacheTTL)+
			". Cache TTL must be at least "+seconds(ns.minCacheTTL)+".")
	}
	return nil
}

// expiration resolves a put's options to an absolute expiration in Unix seconds (0: never),
// with the service's checks and texts (KV-012, KV-013). The TTL wins when both are set
// (KV-014).
func (o *putOptions) resolveExpiration(now time.Time) (int64, error) {
	nowSec := now.Unix()
	if o.ttlSet {
		ttl := int64(o.ttl / time.Second)
		if ttl <= 0 {
			return 0, newError(opPut, 400, ErrInvalidExpiration, "Invalid expiration_ttl of "+
				strconv.FormatInt(ttl, 10)+". Please specify integer greater than 0.")
		}
		if ttl < int64(MinExpirationTTL/time.Second) {
			return 0, newError(opPut, 400, ErrInvalidExpiration, "Invalid expiration_ttl of "+
				strconv.FormatInt(ttl, 10)+". Expiration TTL must be at least "+seconds(MinExpirationTTL)+".")
		}
		return nowSec + ttl, nil
	}
	if o.expirationSet {
		exp := o.expiration
		if exp <= nowSec {
			return 0, newError(opPut, 400, ErrInvalidExpiration, "Invalid expiration of "+
				strconv.FormatInt(exp, 10)+". Please specify integer greater than the current number of seconds since the UNIX epoch.")
		}
		if exp < nowSec+int64(MinExpirationTTL/time.Second) {
			return 0, newError(opPut, 400, ErrInvalidExpiration, "Invalid expiration of "+
				strconv.FormatInt(exp, 10)+". Expiration times must be at least "+seconds(MinExpirationTTL)+" seconds in the future.")
		}
		return exp, nil
	}
	return 0, nil
}

func validateMetadataSize(meta []byte) error {
	if len(meta) > MaxMetadataSize {
		return newError(opPut, 413, ErrMetadataTooLarge, "Metadata length of "+strconv.Itoa(len(meta))+
			" exceeds limit of "+strconv.Itoa(MaxMetadataSize)+".")
	}
	return nil
}

func valueTooLarge(n int64) error {
	return newError(opPut, 413, ErrValueTooLarge, "Value length of "+strconv.FormatInt(n, 10)+
		" exceeds limit of "+strconv.Itoa(MaxValueSize)+".")
}

func validateListLimit(limit int) error {
	if limit < 0 {
		return newError(opGet, 400, ErrInvalidListOptions, "Invalid key_count_limit of "+strconv.Itoa(limit)+
			". Please specify an integer greater than 0.")
	}
	if limit > MaxListLimit {
		return newError(opGet, 400, ErrInvalidListOptions, "Invalid key_count_limit of "+strconv.Itoa(limit)+
			". Please specify an integer less than "+strconv.Itoa(MaxListLimit)+".")
	}
	return nil
}

// seconds prints a duration as whole seconds, the unit of every KV option on the platform.
func seconds(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }

// The platform's method names in error texts.
const (
	opGet     = "GET"
	opGetBulk = "GET_BULK"
	opPut     = "PUT"
	opDelete  = "DELETE"
)
