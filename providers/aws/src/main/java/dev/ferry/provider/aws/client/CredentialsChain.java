package dev.ferry.provider.aws.client;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.profiles.Profile;
import software.amazon.awssdk.profiles.ProfileFile;

/**
 * The AWS SDK's default credential chain, rebuilt so that it reads the environment ferry was given
 * (tests pass their own) instead of the process's: the file's {@code profile} alone when it names one;
 * otherwise AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, the profile AWS_PROFILE (or
 * {@code default}) of the shared files (plain keys, SSO, assumed roles, credential processes), web
 * identity, container credentials and the EC2 instance role. Each link remembers why it gave nothing,
 * so that a failure names everything that was tried.
 */
public final class CredentialsChain {

    private final List<Link> links;
    private final ProfileFile profileFile;
    private final String profileName;
    private volatile Link resolved;

    private CredentialsChain(List<Link> links, ProfileFile profileFile, String profileName) {
        this(links, profileFile, profileName, Optional.empty());
    }

    private CredentialsChain(List<Link> links, ProfileFile profileFile, String profileName, Optional<String> explicitProfileHint) {
        this.links = List.copyOf(links);
        this.profileFile = profileFile;
        this.profileName = profileName;
        this.explicitProfileHint = explicitProfileHint;
    }

    /** When the file names a profile: what to say if it cannot be used. */
    private final Optional<String> explicitProfileHint;

    /** One place credentials may come from: its description for messages, and its provider if it applies. */
    private record Link(String description, Optional<AwsCredentialsProvider> provider, String whyNot) {
    }

    static CredentialsChain build(AwsConfig config, Map<String, String> environment, Path home) {
        requireNonNull(config, "config is null");
        Path configFile = variable(environment, "AWS_CONFIG_FILE").map(Path::of).orElse(home.resolve(".aws").resolve("config"));
        Path credentialsFile = variable(environment, "AWS_SHARED_CREDENTIALS_FILE").map(Path::of)
                .orElse(home.resolve(".aws").resolve("credentials"));
        ProfileFile profiles = profileFile(configFile, credentialsFile);
        List<Link> links = new ArrayList<>();
        if (config.profile().isPresent()) {
            // A profile named in the file is the user's explicit choice, as --profile is for the AWS CLI.
            String name = config.profile().get();
            links.add(profileLink(profiles, name, configFile, credentialsFile, true));
            String hint = "providers.aws.profile names '" + name + "', so ferry uses only that profile"
                    + (variable(environment, "AWS_ACCESS_KEY_ID").isPresent()
                            ? " (AWS_ACCESS_KEY_ID in the environment is not used while a profile is named)" : "")
                    + ". Create it ('aws configure --profile " + name + "'), or remove 'profile' from providers.aws to use the"
                    + " SDK's default chain (environment variables, AWS_PROFILE, the default profile, SSO, instance roles)";
            return new CredentialsChain(links, profiles, name, Optional.of(hint));
        }
        Optional<String> keyId = variable(environment, "AWS_ACCESS_KEY_ID");
        Optional<String> secret = variable(environment, "AWS_SECRET_ACCESS_KEY");
        if (keyId.isPresent() && secret.isPresent()) {
            Optional<String> token = variable(environment, "AWS_SESSION_TOKEN");
            AwsCredentials credentials = token.<AwsCredentials>map(t -> AwsSessionCredentials.create(keyId.get(), secret.get(), t))
                    .orElseGet(() -> AwsBasicCredentials.create(keyId.get(), secret.get()));
            links.add(new Link("the environment (AWS_ACCESS_KEY_ID " + masked(keyId.get()) + ")",
                    Optional.of(StaticCredentialsProvider.create(credentials)), ""));
        } else {
            links.add(new Link("the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)", Optional.empty(),
                    keyId.isPresent() ? "AWS_SECRET_ACCESS_KEY is not set" : "not set"));
        }
        String name = variable(environment, "AWS_PROFILE").orElse("default");
        links.add(profileLink(profiles, name, configFile, credentialsFile, false));
        if (variable(environment, "AWS_WEB_IDENTITY_TOKEN_FILE").isPresent() && variable(environment, "AWS_ROLE_ARN").isPresent()) {
            links.add(webIdentity(environment));
        } else {
            links.add(new Link("web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN)", Optional.empty(), "not set"));
        }
        if (variable(environment, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").isPresent()
                || variable(environment, "AWS_CONTAINER_CREDENTIALS_FULL_URI").isPresent()) {
            links.add(new Link("the container's credentials endpoint", Optional.of(ContainerCredentialsProvider.builder().build()), ""));
        } else {
            links.add(new Link("container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)", Optional.empty(), "not set"));
        }
        if (variable(environment, "AWS_EC2_METADATA_DISABLED").filter(v -> v.equalsIgnoreCase("true")).isPresent()) {
            links.add(new Link("the EC2 instance role", Optional.empty(), "AWS_EC2_METADATA_DISABLED is true"));
        } else {
            links.add(new Link("the EC2 instance role (instance metadata)",
                    Optional.of(InstanceProfileCredentialsProvider.builder().profileFile(profiles).profileName(name).build()), ""));
        }
        return new CredentialsChain(links, profiles, name);
    }

    private static Link webIdentity(Map<String, String> environment) {
        WebIdentityTokenFileCredentialsProvider.Builder builder = WebIdentityTokenFileCredentialsProvider.builder()
                .roleArn(environment.get("AWS_ROLE_ARN"))
                .webIdentityTokenFile(Path.of(environment.get("AWS_WEB_IDENTITY_TOKEN_FILE")));
        variable(environment, "AWS_ROLE_SESSION_NAME").ifPresent(builder::roleSessionName);
        return new Link("web identity (AWS_ROLE_ARN " + environment.get("AWS_ROLE_ARN") + ")", Optional.of(builder.build()), "");
    }

    private static Link profileLink(ProfileFile profiles, String name, Path configFile, Path credentialsFile, boolean explicit) {
        String where = "the profile '" + name + "' of " + credentialsFile + " and " + configFile;
        Optional<Profile> profile = profiles.profile(name);
        if (profile.isEmpty()) {
            return new Link(where, Optional.empty(), explicit ? "there is no such profile" : "not found");
        }
        boolean sso = profile.get().property("sso_session").isPresent() || profile.get().property("sso_start_url").isPresent();
        String description = sso ? "the SSO profile '" + name + "' (IAM Identity Center) of " + configFile : where;
        return new Link(description, Optional.of(ProfileCredentialsProvider.builder().profileFile(profiles).profileName(name).build()), "");
    }

    private static ProfileFile profileFile(Path configFile, Path credentialsFile) {
        ProfileFile.Aggregator aggregator = ProfileFile.aggregator();
        if (Files.isRegularFile(configFile)) {
            aggregator.addFile(ProfileFile.builder().content(configFile).type(ProfileFile.Type.CONFIGURATION).build());
        }
        if (Files.isRegularFile(credentialsFile)) {
            aggregator.addFile(ProfileFile.builder().content(credentialsFile).type(ProfileFile.Type.CREDENTIALS).build());
        }
        return aggregator.build();
    }

    private static Optional<String> variable(Map<String, String> environment, String name) {
        return Optional.ofNullable(environment.get(name)).filter(value -> !value.isBlank());
    }

    /** The shared config files as read from the user's home, for the clients' own profile settings. */
    ProfileFile profileFile() {
        return profileFile;
    }

    String profileName() {
        return profileName;
    }

    /**
     * A provider that tries each link in turn and, when none gives credentials, fails with one message
     * naming every place tried and what to do. It never shows a secret key.
     */
    public AwsCredentialsProvider provider() {
        return new AwsCredentialsProvider() {
            @Override
            public AwsCredentials resolveCredentials() {
                Link remembered = resolved;
                if (remembered != null) {
                    return remembered.provider().orElseThrow().resolveCredentials();
                }
                List<String> tried = new ArrayList<>();
                for (Link link : links) {
                    if (link.provider().isEmpty()) {
                        tried.add(link.description() + ": " + link.whyNot());
                        continue;
                    }
                    try {
                        AwsCredentials credentials = link.provider().get().resolveCredentials();
                        resolved = link;
                        return credentials;
                    } catch (SdkException e) {
                        tried.add(link.description() + ": " + firstSentence(e.getMessage()));
                    }
                }
                if (explicitProfileHint.isPresent()) {
                    throw new FerryException("no AWS credentials could be found. ferry tried " + String.join("; ", tried)
                            + ". " + explicitProfileHint.get());
                }
                throw new FerryException("no AWS credentials could be found. ferry tried " + String.join("; ", tried)
                        + ". Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or configure a profile ('aws configure', or"
                        + " 'aws configure sso' then 'aws sso login') and name it in providers.aws.profile or AWS_PROFILE,"
                        + " or run ferry where an instance or container role is attached");
            }

            @Override
            public String toString() {
                return "ferry credentials chain";
            }
        };
    }

    /** Where the credentials in use come from, for messages about refused credentials. */
    String describeSource() {
        Link link = resolved;
        return link == null ? "the credential chain" : link.description();
    }

    /** An access key id shown by its last four characters, as the AWS console does. */
    static String masked(String keyId) {
        return keyId.length() <= 4 ? "****" : "****" + keyId.substring(keyId.length() - 4);
    }

    private static String firstSentence(String message) {
        if (message == null || message.isBlank()) {
            return "gave no credentials";
        }
        String line = message.lines().findFirst().orElse(message).strip();
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
