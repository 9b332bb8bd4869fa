/**
 * What AWS resource types share: the base with name, schema and clients, and the follower of a long EC2
 * conversion task (start with the identity's ClientToken, describe with progress, find by token or tag,
 * cancel, word a failure), so a new long operation is a page of code.
 */
package dev.ferry.provider.aws.task;
