"""What the tests share: one local HTTP server (`http`), one recording service runtime (`runtime`) and the
repository's paths (`paths`). tests/conftest.py turns the first two into fixtures (`http_server`,
`recording_runtime`)."""
