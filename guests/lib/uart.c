#include "rt.h"

#define UART_THR 0x0u
#define UART_LSR 0x5u
#define UART_LSR_THR_EMPTY 0x20u

void uart_putc(char c) {
  volatile uint8_t *uart = (volatile uint8_t *)(uintptr_t)UART_BASE;
  while ((uart[UART_LSR] & UART_LSR_THR_EMPTY) == 0) {
  }
  uart[UART_THR] = (uint8_t)c;
}

void uart_puts(const char *s) {
  while (*s) uart_putc(*s++);
}

static void put_padded(const char *digits, int length, int width, char pad) {
  for (int i = length; i < width; i++) uart_putc(pad);
  for (int i = length - 1; i >= 0; i--) uart_putc(digits[i]);
}

/* Digits least significant first. 64-bit only in hex: rv32 has no 64-bit divide without libgcc. */
static void put_unsigned(uint32_t value, uint32_t base, int width, char pad) {
  char digits[12];
  int length = 0;
  do {
    digits[length++] = "0123456789abcdef"[value % base];
    value /= base;
  } while (value);
  put_padded(digits, length, width, pad);
}

static void put_hex64(uint64_t value, int width, char pad) {
  char digits[16];
  int length = 0;
  do {
    digits[length++] = "0123456789abcdef"[value & 0xf];
    value >>= 4;
  } while (value);
  put_padded(digits, length, width, pad);
}

static const char *put_conversion(const char *f, va_list *args) {
  char pad = ' ';
  int width = 0;
  if (*f == '0') pad = *f++;
  while (*f >= '0' && *f <= '9') width = width * 10 + (*f++ - '0');
  if (f[0] == 'l' && f[1] == 'l' && f[2] == 'x') {
    put_hex64(va_arg(*args, uint64_t), width, pad);
    return f + 3;
  }
  switch (*f) {
  case 's': uart_puts(va_arg(*args, const char *)); break;
  case 'c': uart_putc((char)va_arg(*args, int)); break;
  case 'u': put_unsigned(va_arg(*args, uint32_t), 10, width, pad); break;
  case 'x': put_unsigned(va_arg(*args, uint32_t), 16, width, pad); break;
  case 'd': {
    int32_t value = va_arg(*args, int32_t);
    if (value < 0) uart_putc('-');
    put_unsigned(value < 0 ? 0u - (uint32_t)value : (uint32_t)value, 10, width, pad);
    break;
  }
  case '%': uart_putc('%'); break;
  default: uart_puts("<bad format>"); return f;
  }
  return f + 1;
}

void rt_printf(const char *format, ...) {
  va_list args;
  va_start(args, format);
  const char *f = format;
  while (*f) {
    if (*f != '%') {
      uart_putc(*f++);
      continue;
    }
    f = put_conversion(f + 1, &args);
  }
  va_end(args);
}
