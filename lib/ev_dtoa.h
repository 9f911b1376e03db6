/*
 * ev_dtoa.h - the shortest decimal digits that read back to a double.
 *
 * The digits come from the C++ standard library's std::to_chars (C++17),
 * reached through the one C++ file in evkit, ev_dtoa.cc.  ev_buf_add_num
 * lays them out as printf's %g would.
 */
#ifndef EV_DTOA_H
#define EV_DTOA_H

#ifdef __cplusplus
extern "C" {
#endif

#define EV_DTOA_DIGITS	18	/* 17 digits and a NUL */

/*
 * The digits of |v| (finite, not zero) into digits[EV_DTOA_DIGITS], NUL
 * terminated: |v| = 0.DIGITS x 10^*point.  Returns how many digits.
 */
int	ev_dtoa_shortest(double v, char *digits, int *point);

#ifdef __cplusplus
}
#endif

#endif /* EV_DTOA_H */
