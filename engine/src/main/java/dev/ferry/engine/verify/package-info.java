/**
 * Verification: the checks a migration's {@code verify:} asks for (TCP ports, HTTP GETs), probed against the source
 * while planning and against the target as the migration's last step ({@code verify.NAME}), so that a migration is
 * done when the new machine answers where the old one did, not when the cloud says {@code running}. The engine owns
 * it, as it knows no cloud: the source's and the target's addresses come from the neutral outputs of the providers.
 */
package dev.ferry.engine.verify;
