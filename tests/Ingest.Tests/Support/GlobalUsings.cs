// The log capture is tests/Testing's LogCapture; the Ingest tests name its lines' type without importing that namespace.
global using CapturedLog = CinematicSwitch.Testing.CapturedLog;
