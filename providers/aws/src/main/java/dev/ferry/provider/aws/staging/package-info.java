/**
 * What the source and target sides share and ferry declares once per run: the staging bucket and its
 * policy, the vmimport service role, and the caller identity whose account scopes that policy.
 */
package dev.ferry.provider.aws.staging;
