/* jerry-kaluma: Kaluma's TextEncoder/TextDecoder and its own encodeURIComponent/decodeURIComponent
 * (src/global.c), and the string-to-bytes conversion its natives share (src/jerryxx.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kaluma.h"

/* ---- TextEncoder / TextDecoder (global.c) ----------------------------------------------------- */

static char *encoding_of(jerry_value_t self) {
  jerry_value_t e = jerry_object_get_sz(self, "encoding");
  char *s = jerry_value_is_string(e) ? cesu8_of(e, NULL) : strdup("");
  jerry_value_free(e);
  return s;
}
JSFN(text_ctor_fn) {
  if (n > 0 && !jerry_value_is_string(a[0])) return type_error("\"%s\" argument must be a string", "label");
  jerry_value_t label = n > 0 ? jerry_value_copy(a[0]) : jerry_string_sz("utf-8");
  jerry_value_free(jerry_object_set_sz(info->this_value, "encoding", label));
  jerry_value_free(label);
  return jerry_undefined();
}
/* Kaluma's jerryxx_string_to_ascii_char_buffer: one byte per UTF-16 unit, 0 above U+00FF. */
void ascii_bytes(jerry_value_t s, uint8_t *out, jerry_length_t len) {
  jerry_size_t sz = jerry_string_size(s, JERRY_ENCODING_UTF8);
  uint8_t *u = malloc(sz + 4);
  jerry_string_to_buffer(s, JERRY_ENCODING_UTF8, u, sz);
  memset(u + sz, 0, 4);
  jerry_size_t p = 0;
  for (jerry_length_t i = 0; i < len; i++) {
    uint8_t c = p < sz ? u[p] : 0;
    if (c < 128) { out[i] = c; p++; }
    else if (c >> 5 == 6) { out[i] = c == 0xc2 ? u[p + 1] : c == 0xc3 ? (uint8_t)(u[p + 1] + 64) : 0; p += 2; }
    else if (c >> 4 == 14) { out[i] = 0; p += 3; }
    else { out[i] = 0; p += 4; }
  }
  free(u);
}
JSFN(text_encode_fn) {
  CHECK_STRING(0, "input");
  char *enc = encoding_of(info->this_value);
  jerry_value_t r;
  if (strcmp(enc, "ascii") == 0) {
    jerry_length_t len = jerry_string_length(a[0]);
    r = jerry_typedarray(JERRY_TYPEDARRAY_UINT8, len);
    jerry_length_t off = 0, bl = 0;
    jerry_value_t ab = jerry_typedarray_buffer(r, &off, &bl);
    ascii_bytes(a[0], jerry_arraybuffer_data(ab), len);
    jerry_value_free(ab);
  } else if (strcmp(enc, "utf-8") == 0) {
    jerry_size_t len = jerry_string_size(a[0], JERRY_ENCODING_UTF8);
    r = jerry_typedarray(JERRY_TYPEDARRAY_UINT8, len);
    jerry_length_t off = 0, bl = 0;
    jerry_value_t ab = jerry_typedarray_buffer(r, &off, &bl);
    jerry_string_to_buffer(a[0], JERRY_ENCODING_UTF8, jerry_arraybuffer_data(ab), len);
    jerry_value_free(ab);
  } else r = jerry_throw_sz(JERRY_ERROR_COMMON, "Unsupported encoding.");
  free(enc);
  return r;
}
JSFN(text_decode_fn) {
  CHECK_ARG(0, "input");
  if (!jerry_value_is_typedarray(a[0]) || jerry_typedarray_type(a[0]) != JERRY_TYPEDARRAY_UINT8)
    return jerry_throw_sz(JERRY_ERROR_COMMON, "input must be Uint8Array.");
  char *enc = encoding_of(info->this_value);
  jerry_value_t r;
  if (strcmp(enc, "ascii") == 0) {
    jerry_value_t global = jerry_current_realm(), str = jerry_object_get_sz(global, "String");
    jerry_value_t fcc = jerry_object_get_sz(str, "fromCharCode"), apply = jerry_object_get_sz(fcc, "apply");
    jerry_value_t args[2] = {jerry_null(), a[0]};
    r = jerry_call(apply, fcc, args, 2);
    jerry_value_free(apply); jerry_value_free(fcc); jerry_value_free(str); jerry_value_free(global);
  } else if (strcmp(enc, "utf-8") == 0) {
    jerry_length_t off = 0, bl = 0;
    jerry_value_t ab = jerry_typedarray_buffer(a[0], &off, &bl);
    const uint8_t *p = jerry_arraybuffer_data(ab) + off;
    /* Kaluma passes the bytes on unchecked; JerryScript's result for malformed UTF-8 is undefined
     * there, so the runner says so instead of guessing (a board may show garbage or crash). */
    if (!jerry_validate_string(p, bl, JERRY_ENCODING_UTF8)) {
      fprintf(stderr, "@@warn \"TextDecoder.decode: %u bytes that are not UTF-8 (undefined behaviour on Kaluma)\"\n", (unsigned)bl);
      r = jerry_string_sz("");
    } else r = jerry_string(p, bl, JERRY_ENCODING_UTF8);
    jerry_value_free(ab);
  } else r = jerry_throw_sz(JERRY_ERROR_COMMON, "Unsupported encoding.");
  free(enc);
  return r;
}

/* ---- Kaluma's own encodeURIComponent / decodeURIComponent (global.c) ---------------------------
 * Kaluma replaces the engine's functions with these: they percent-encode the string's CESU-8 bytes
 * (a character outside the BMP becomes two 3-byte surrogates, not UTF-8's 4 bytes; a lone surrogate
 * is encoded, not refused), and decode to bytes read back as CESU-8 up to the first NUL, unchecked.
 * `char` is unsigned on ARM, so bytes 0x80-0xFF encode as %80-%FF. */
static int uri_char(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_' ||
         c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' || c == '(' || c == ')';
}
static jerry_value_t arg_string(const jerry_value_t a[], jerry_length_t n) {
  return jerry_value_is_string(a[0]) ? jerry_value_copy(a[0]) : jerry_value_to_string(a[0]);
  (void)n;
}
JSFN(encode_uri_component_fn) {
  (void)info;
  CHECK_ARG(0, "data");
  jerry_value_t s = arg_string(a, n);
  if (jerry_value_is_exception(s)) return s;
  jerry_size_t sz;
  unsigned char *d = (unsigned char *)cesu8_of(s, &sz);
  jerry_value_free(s);
  static const char hex[] = "0123456789ABCDEF";
  char *out = malloc(sz * 3 + 1);
  size_t p = 0;
  for (jerry_size_t i = 0; i < sz; i++) {
    if (uri_char(d[i])) out[p++] = (char)d[i];
    else {
      out[p++] = '%';
      out[p++] = hex[d[i] >> 4];
      out[p++] = hex[d[i] & 15];
    }
  }
  out[p] = '\0';
  jerry_value_t r = jerry_string_sz(out);
  free(out);
  free(d);
  return r;
}
static int hex1(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0;
}
JSFN(decode_uri_component_fn) {
  (void)info;
  CHECK_ARG(0, "data");
  jerry_value_t s = arg_string(a, n);
  if (jerry_value_is_exception(s)) return s;
  jerry_size_t sz;
  char *d = cesu8_of(s, &sz);
  jerry_value_free(s);
  char *out = malloc(sz + 1);
  size_t p = 0;
  for (jerry_size_t i = 0; i < sz;) {
    if (d[i] == '%') {
      char h = i + 1 < sz ? d[i + 1] : 0, l = i + 2 < sz ? d[i + 2] : 0;
      out[p++] = (char)(hex1(h) << 4 | hex1(l));
      i += 3;
    } else out[p++] = d[i++];
  }
  out[p] = '\0';
  size_t len = strlen(out); /* jerry_string_sz: stops at the first NUL */
  jerry_value_t r;
  if (!jerry_validate_string((const jerry_char_t *)out, (jerry_size_t)len, JERRY_ENCODING_CESU8)) {
    /* On a board JerryScript takes these bytes as they are (assertions are off) and the string's
     * contents are undefined; the runner keeps the bytes too, and says so. */
    fprintf(stderr, "@@warn \"decodeURIComponent: %u bytes that are not CESU-8 (undefined behaviour on Kaluma)\"\n", (unsigned)len);
  }
  r = jerry_string((const jerry_char_t *)out, (jerry_size_t)len, JERRY_ENCODING_CESU8);
  free(out);
  free(d);
  return r;
}


static void define_text_class(jerry_value_t global, const char *name, const char *method, jerry_external_handler_t fn) {
  jerry_value_t ctor = jerry_function_external(text_ctor_fn), proto = jerry_object();
  set_fn(proto, method, fn);
  jerry_value_free(jerry_object_set_sz(ctor, "prototype", proto));
  jerry_value_free(jerry_object_set_sz(global, name, ctor));
  jerry_value_free(proto);
  jerry_value_free(ctor);
}

void kaluma_text_register(jerry_value_t g) {
  /* --opt uri=jerryscript keeps the engine's own functions (to compare; no board has that). */
  if (!opt("uri") || strcmp(opt("uri"), "jerryscript") != 0) {
    set_fn(g, "encodeURIComponent", encode_uri_component_fn);
    set_fn(g, "decodeURIComponent", decode_uri_component_fn);
  }
  /* --opt plain=1 leaves them out: plain JerryScript has neither (to compare; no board has that). */
  if (!opt("plain")) {
    define_text_class(g, "TextEncoder", "encode", text_encode_fn);
    define_text_class(g, "TextDecoder", "decode", text_decode_fn);
  }
}
