"""Distances and midpoints on the globe, shared by the correlator, the gazetteer and the geocoding benchmark."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def trimmed_middle(values: list[float], digits: int = 4) -> float:
    """The midpoint of the span the values cover, the 2% furthest each way left out (islands, exclaves,
    a misplaced record): where GeoNames puts an area's point, near the middle of its extent."""
    ordered = sorted(values)
    cut = len(ordered) // 50
    return round((ordered[cut] + ordered[len(ordered) - 1 - cut]) / 2, digits)
