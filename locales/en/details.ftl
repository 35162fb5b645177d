# serde's words inside a parse refusal (`detail`), read back into their parts by
# src/i18n/detail.rs. Each English message must give back serde's text word for
# word: a detail whose parts do not is shown as it came (the module checks).

detail-at = { $detail } at line { $line } column { $column }
detail-at-line-start = { $detail } at line { $line } column 0
detail-at-first-line = { $detail } at line 1 column { $column }
detail-invalid-type = invalid type: { $unexpected }, expected { $expected }
detail-invalid-value = invalid value: { $unexpected }, expected { $expected }
detail-invalid-length = invalid length { $length }, expected { $expected }
detail-unknown-variant = unknown variant `{ $name }`, expected { $names }
detail-unknown-variant-none = unknown variant `{ $name }`, there are no variants
detail-unknown-field = unknown field `{ $name }`, expected { $names }
detail-unknown-field-none = unknown field `{ $name }`, there are no fields
detail-missing-field = missing field `{ $name }`
detail-duplicate-field = duplicate field `{ $name }`
detail-names-one = { $name }
detail-names-two = { $first }{ $closed ->
        [yes] {""}
       *[no] {""}
    } or { $second }
detail-names-many = one of { $names }
# What a name serde lists means, after it (none in English: serde's own words).
detail-name-meaning = { $name ->
       *[other] {""}
    }
detail-expected-got = expected { $expected }, got { $got }
detail-key-twice = the key { $key } appears twice in one object

## The uuid crate's words

detail-uuid = UUID parsing failed: { $reason }
detail-uuid-character = invalid character: found `{ $character }` at { $index }
detail-uuid-group-count = invalid group count: expected 5, found { $count }
detail-uuid-group-length = invalid group length in group { $group }: expected { $expected }, found { $found }
detail-uuid-length = invalid length: found { $length }

## serde_json's syntax errors

detail-json-eof-list = EOF while parsing a list
detail-json-eof-object = EOF while parsing an object
detail-json-eof-string = EOF while parsing a string
detail-json-eof-value = EOF while parsing a value
detail-json-expected-colon = expected `:`
detail-json-expected-list-comma = expected `,` or `]`
detail-json-expected-object-comma = expected `,` or `{ "}" }`
detail-json-expected-ident = expected ident
detail-json-expected-value = expected value
detail-json-expected-quote = expected `"`
detail-json-invalid-escape = invalid escape
detail-json-invalid-number = invalid number
detail-json-number-out-of-range = number out of range
detail-json-invalid-code-point = invalid unicode code point
detail-json-control-character = control character (\u0000-\u001F) found while parsing a string
detail-json-key-not-a-string = key must be a string
detail-json-lone-surrogate = lone leading surrogate in hex escape
detail-json-trailing-comma = trailing comma
detail-json-trailing-characters = trailing characters
detail-json-hex-escape-end = unexpected end of hex escape
detail-json-recursion-limit = recursion limit exceeded

## What a field expected

detail-expected-string = a string
detail-expected-sequence = a sequence
detail-expected-boolean = a boolean
detail-expected-uuid = a formatted UUID string
detail-expected-hyphenated-uuid = a UUID in hyphenated form (8-4-4-4-12 hexadecimal digits)
detail-expected-string-or-map = string or map
detail-expected-single-key-map = map with a single key
detail-expected-amount = an amount as a plain decimal string, without a sign, of at most 12 digits before the point and two after, like "600.00"
detail-expected-share = a share as a plain decimal string, without a sign, of at most 3 digits before the point and four after, like "0.6667"
detail-expected-ratio = a ratio as a plain decimal string, without a sign, of at most 3 digits before the point and six after, like "0.60"
detail-expected-month = a month "YYYY-MM" between 1990-01 and 2999-12
detail-expected-date = a real calendar date "YYYY-MM-DD" between 1990-01-01 and 2999-12-31
detail-expected-region = a region name of 1 to 64 ASCII letters, digits, '_', '.' or '-' (a Chinese place name in pinyin or as its code, such as `beijing` or `110100`)
detail-expected-struct = struct { $name }
detail-expected-u8 = u8
detail-expected-u16 = u16
detail-expected-u32 = u32
detail-expected-u64 = u64
detail-expected-usize = usize
detail-expected-other = { $text }

## What a field got

detail-got-null = null
detail-got-map = map
detail-got-sequence = sequence
detail-got-unit = unit value
detail-got-boolean = boolean { $value }
detail-got-integer = integer { $value }
detail-got-float = floating point { $value }
detail-got-string = string { $value }
detail-got-character = character { $value }
detail-got-other = { $text }

## A command-line value that does not parse (`i18n::Sentence`; clap shows it after the argument's name)
value-not-an-instant = { $text } is not an instant: write one in RFC 3339, a date with a time and an offset, e.g. 2026-01-31T23:59:59Z or 2026-01-31T23:59:59+08:00
value-not-a-month = { $text } is not a month: write YYYY-MM from 1990-01 to 2999-12, e.g. 2025-07
value-data-dir-dash = "-" is not a directory: a data directory is named by its path ("-" means standard input or output for a file)
value-not-a-region = { $text } is not a region name (1 to 64 ASCII letters, digits, '_', '.' or '-'; a Chinese place name in pinyin or as its code, such as `beijing` or `110100`)
value-origin-no-scheme = { $text } is not an origin: write the scheme, http:// or https://, then the host (and :port)
value-origin-shape = { $text } is not an origin: a scheme, a host and an optional port, no path and no trailing slash (e.g. https://app.example.org:8443); list each origin with its own --cors-origin
value-not-an-origin = { $text } is not an origin
value-not-a-uuid = { $why } (a member id is a UUID: 8-4-4-4-12 hexadecimal digits, e.g. 0b53af7d-bb50-5037-9d21-49eba4cb5782)
