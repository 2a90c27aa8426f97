"""Local stand-ins that speak the vendors' HTTP protocols, for tests of the real SDKs."""
