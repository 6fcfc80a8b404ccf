"""SI unit constants.

spikesim stores every quantity as a plain float in SI units (seconds, volts,
siemens, amperes, farads, hertz), exactly as Brian2 does internally, so that
the same arithmetic gives the same bits.  The constants below only make
scripts readable: ``tau_m = 20 * ms`` is the float ``0.02``.
"""

second = 1.0
ms = 1e-3
us = 1e-6

volt = 1.0
mV = 1e-3

siemens = 1.0
mS = 1e-3
uS = 1e-6
nS = 1e-9

amp = 1.0
nA = 1e-9
pA = 1e-12

farad = 1.0
nF = 1e-9
pF = 1e-12

ohm = 1.0
Mohm = 1e6

Hz = 1.0
kHz = 1e3

__all__ = [
    "second", "ms", "us", "volt", "mV", "siemens", "mS", "uS", "nS",
    "amp", "nA", "pA", "farad", "nF", "pF", "ohm", "Mohm", "Hz", "kHz",
]
