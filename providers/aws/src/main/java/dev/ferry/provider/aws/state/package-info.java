/**
 * ferry's own state kept in S3 for teams and fleets: the state object written with If-Match on the ETag
 * last seen, and its lock object created with If-None-Match, through the provider's clients.
 */
package dev.ferry.provider.aws.state;
