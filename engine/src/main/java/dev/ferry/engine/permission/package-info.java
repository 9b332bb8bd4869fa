/**
 * Permissions: what a migration file's resources need the clouds to allow, in each cloud's own words. Each provider
 * knows what its resource types call ({@link dev.ferry.engine.provider.Provider#permissions}) and writes its own
 * document (an IAM policy, a list of token scopes); {@link dev.ferry.engine.expand.RequiredPermissions} gathers them
 * from a file's expansion. This package depends on nothing of ferry's.
 */
package dev.ferry.engine.permission;
