package dev.ferry.provider.linode;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.spec.SecretReference;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the Linode provider finds its token and its API: the file's {@code providers.linode.token} (a secret
 * reference), else {@code LINODE_TOKEN}, else the linode-cli config file; the API at
 * {@code providers.linode.endpoint}, else {@code LINODE_API_URL}, else {@code https://api.linode.com/v4}.
 */
final class LinodeCredentials {

    static final String TOKEN_VARIABLE = "LINODE_TOKEN";
    static final String URL_VARIABLE = "LINODE_API_URL";

    private LinodeCredentials() {
    }

    static ApiToken token(LinodeConfig config, ProviderContext context) {
        if (config.token().isPresent()) {
            SecretReference reference = config.token().get();
            // A token the file names explicitly must be there: falling back would act as someone else.
            String value = context.secrets().resolve(reference).reveal();
            if (value.isBlank()) {
                throw new FerryException("providers.linode.token (" + reference + ") is empty");
            }
            return new ApiToken(value, "providers.linode.token (" + reference + ")");
        }
        Optional<String> variable = context.variable(TOKEN_VARIABLE);
        if (variable.isPresent()) {
            return new ApiToken(variable.get(), TOKEN_VARIABLE);
        }
        List<Path> looked = new ArrayList<>();
        for (Path file : cliConfigFiles(context)) {
            looked.add(file);
            if (!Files.isRegularFile(file)) {
                continue;
            }
            try {
                LinodeCliConfig cli = LinodeCliConfig.parse(Files.readString(file, StandardCharsets.UTF_8));
                Optional<String> token = cli.token();
                if (token.isPresent()) {
                    return new ApiToken(token.get(), "the linode-cli config file " + file
                            + cli.defaultUser().map(user -> " (user " + user + ")").orElse(""));
                }
            } catch (IOException e) {
                throw new FerryException("cannot read the linode-cli config file " + file + ": " + e.getMessage());
            }
        }
        throw new FerryException("no Linode API token: the migration file sets no providers.linode.token, "
                + TOKEN_VARIABLE + " is not set, and no linode-cli config file with a token was found ("
                + String.join(", ", looked.stream().map(Path::toString).toList()) + "). Export " + TOKEN_VARIABLE
                + " (a personal access token with read/write on Linodes, Images and Cloud Firewalls), or run"
                + " `linode-cli configure`");
    }

    /** {@code $XDG_CONFIG_HOME/linode-cli}, {@code ~/.config/linode-cli}, and the older {@code ~/.linode-cli}. */
    static List<Path> cliConfigFiles(ProviderContext context) {
        List<Path> files = new ArrayList<>();
        context.variable("XDG_CONFIG_HOME").ifPresent(xdg -> files.add(Path.of(xdg).resolve("linode-cli")));
        Path standard = context.home().resolve(".config").resolve("linode-cli");
        if (!files.contains(standard)) {
            files.add(standard);
        }
        files.add(context.home().resolve(".linode-cli"));
        return files;
    }

    static URI baseUrl(LinodeConfig config, ProviderContext context) {
        Optional<String> configured = config.endpoint();
        String where = "providers.linode.endpoint";
        if (configured.isEmpty()) {
            configured = context.variable(URL_VARIABLE);
            where = URL_VARIABLE;
        }
        if (configured.isEmpty()) {
            return LinodeClient.DEFAULT_BASE_URL;
        }
        String text = configured.get().strip();
        try {
            URI uri = URI.create(text);
            if (uri.getScheme() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new FerryException(where + " is '" + text + "', which is not an http(s) URL; write the API base URL"
                    + " with its version, such as https://api.linode.com/v4");
        }
    }
}
