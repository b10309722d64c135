import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `../shared/reference` next to the repository root; tests that need it skip when it is absent. */
export const REFERENCE_DIR = fileURLToPath(new URL('../../../../shared/reference/', import.meta.url));
export const HAS_REFERENCE = existsSync(REFERENCE_DIR);
export const SKIP_REFERENCE_MESSAGE = `skipped: reference material not found at ${REFERENCE_DIR}`;

/** `../shared/conformance` (read-only test packages). */
export const CONFORMANCE_DIR = fileURLToPath(new URL('../../../../shared/conformance/', import.meta.url));
export const HAS_CONFORMANCE = existsSync(CONFORMANCE_DIR);
