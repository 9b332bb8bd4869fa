package dev.ferry.provider.vsphere.vcenter;

import dev.ferry.engine.FerryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Which TLS certificates ferry accepts from vCenter and the ESXi hosts behind its download URLs: those the
 * system's trust store vouches for, plus those signed by a CA in {@code providers.vsphere.ca_bundle} (PEM), host
 * names checked as usual; or, with {@code insecure}, any certificate at all. A refused certificate is remembered
 * by host, so that the error can name its subject.
 */
public final class Trust {

    private final Optional<Path> bundle;
    private final boolean insecure;
    private final SSLContext context;
    private final Map<String, String> refused = new ConcurrentHashMap<>();

    private Trust(Optional<Path> bundle, boolean insecure) {
        this.bundle = bundle;
        this.insecure = insecure;
        this.context = insecure ? trustingEveryone() : checking(bundle);
    }

    /** The system's CAs, and those in {@code bundle} when given. */
    public static Trust of(Optional<Path> bundle) {
        return new Trust(bundle, false);
    }

    /** Every certificate, unchecked (providers.vsphere.insecure: true). */
    public static Trust insecure() {
        return new Trust(Optional.empty(), true);
    }

    public static Trust system() {
        return of(Optional.empty());
    }

    public SSLContext context() {
        return context;
    }

    public boolean isInsecure() {
        return insecure;
    }

    public Optional<Path> bundle() {
        return bundle;
    }

    /** The subject of the certificate last refused for {@code uri}'s host and port, if one was. */
    public Optional<String> refusedSubject(URI uri) {
        int port = uri.getPort() < 0 ? 443 : uri.getPort();
        return Optional.ofNullable(refused.get(uri.getHost() + ":" + port));
    }

    /**
     * The paragraph for a handshake with {@code what} ("vCenter", "ESXi host") at {@code uri} that failed: the
     * host, the certificate's subject, and the two ways to trust it.
     */
    public String untrusted(String what, URI uri, Exception cause) {
        int port = uri.getPort() < 0 ? 443 : uri.getPort();
        String subject = refusedSubject(uri).map(s -> " (certificate subject: " + s + ")").orElse("");
        return "the TLS certificate of " + what + " " + uri.getHost() + ":" + port + subject + " is not trusted by the system's trust store"
                + bundle.map(path -> " nor by providers.vsphere.ca_bundle (" + path + ")").orElse("") + ": " + reason(cause)
                + "; add the CA certificate that signed it, in PEM, to the file providers.vsphere.ca_bundle names (or VSPHERE_CA_BUNDLE)"
                + "; 'insecure: true' skips the check only for old lab hosts that cannot get a certificate";
    }

    private static String reason(Exception cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.length() > 160 ? message.substring(0, 160) + "..." : message;
    }

    private SSLContext checking(Optional<Path> bundle) {
        try {
            List<X509ExtendedTrustManager> managers = new ArrayList<>();
            managers.add(manager(null));
            if (bundle.isPresent()) {
                managers.add(manager(load(bundle.get())));
            }
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[] {new Either(managers)}, new SecureRandom());
            return ssl;
        } catch (GeneralSecurityException e) {
            throw new FerryException("cannot set up TLS certificate checks: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(Path bundle) {
        if (!Files.isRegularFile(bundle)) {
            throw new FerryException("providers.vsphere.ca_bundle names " + bundle + ", which is not a file: give the path of a PEM file of CA certificates");
        }
        try (InputStream in = Files.newInputStream(bundle)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new FerryException("providers.vsphere.ca_bundle " + bundle + " holds no certificate: it should hold PEM blocks "
                        + "(-----BEGIN CERTIFICATE-----)");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-bundle-" + n++, certificate);
            }
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new FerryException("providers.vsphere.ca_bundle " + bundle + " cannot be read as PEM certificates: " + e.getMessage(), e);
        }
    }

    private static X509ExtendedTrustManager manager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager extended) {
                return extended;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    /** Trusts a chain when any one of its managers does; remembers the subject of a chain none trusts. */
    private final class Either extends X509ExtendedTrustManager {
        private final List<X509ExtendedTrustManager> managers;

        Either(List<X509ExtendedTrustManager> managers) {
            this.managers = managers;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain, engine == null ? null : engine.getPeerHost() + ":" + engine.getPeerPort(), manager -> manager.checkServerTrusted(chain, authType, engine));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            // the host name the socket was opened for (as in the URL), as the SSLEngine variant has it
            String host = socket instanceof SSLSocket ssl && ssl.getHandshakeSession() != null
                    && ssl.getHandshakeSession().getPeerHost() != null ? ssl.getHandshakeSession().getPeerHost()
                    : socket == null || socket.getInetAddress() == null ? null : socket.getInetAddress().getHostAddress();
            String peer = host == null ? null : host + ":" + socket.getPort();
            check(chain, peer, manager -> manager.checkServerTrusted(chain, authType, socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain, null, manager -> manager.checkServerTrusted(chain, authType));
        }

        private void check(X509Certificate[] chain, String peer, Check check) throws CertificateException {
            CertificateException first = null;
            for (X509ExtendedTrustManager manager : managers) {
                try {
                    check.run(manager);
                    return;
                } catch (CertificateException e) {
                    first = first == null ? e : first;
                }
            }
            if (peer != null && chain != null && chain.length > 0) {
                refused.put(peer, chain[0].getSubjectX500Principal().getName());
            }
            throw first;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            managers.get(0).checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            managers.get(0).checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            managers.get(0).checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return managers.stream().flatMap(manager -> java.util.Arrays.stream(((X509TrustManager) manager).getAcceptedIssuers()))
                    .toArray(X509Certificate[]::new);
        }
    }

    @FunctionalInterface
    private interface Check {
        void run(X509ExtendedTrustManager manager) throws CertificateException;
    }

    private static SSLContext trustingEveryone() {
        TrustManager trustAll = new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[] {trustAll}, new SecureRandom());
            return ssl;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
