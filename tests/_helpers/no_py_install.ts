/**
 * Handler arguments that keep the built-in python handler from creating a venv
 * and calling pip (as `--skip-py-install` does): tests of the core pipeline
 * declare pypi packages, and PyPI is not reachable from test machines.
 *
 * @module
 */

/** `handlerArgs` for `runUpdate`: skip Python installs. */
export const NO_PY_INSTALL: Record<string, Record<string, unknown>> = { python: { skipPyInstall: true } };
