package dev.handoff.lab.world.kube;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The serving certificate of a simulated K3s server's API (port 6443), made as K3s makes it: a self-signed server CA
 * ({@code k3s-server-ca@<unix time>}, the kubeconfig's {@code certificate-authority-data}) signs an ECDSA P-256
 * certificate {@code O=k3s, CN=k3s} whose subject alternative names are, in K3s's order, every {@code --tls-san}, the
 * node name, {@code localhost}, {@code 127.0.0.1}, {@code ::1}, the node IPs, {@code kubernetes},
 * {@code kubernetes.default}, {@code kubernetes.default.svc}, {@code kubernetes.default.svc.cluster.local} and the
 * API's service IP {@code 10.43.0.1}. K3s's {@code --tls-san-security} (on by default) keeps it from adding names a
 * client merely asks for (SNI), so an address not among these fails a client's host name check, as it does here.
 *
 * @param ca the server CA
 * @param certificate the serving certificate, signed by {@code ca}
 * @param key the serving certificate's private key
 */
record K3sServingCertificate(X509Certificate ca, X509Certificate certificate, PrivateKey key) {
    /** The names K3s gives the {@code kubernetes} service in the default cluster domain. */
    static final List<String> KUBERNETES_NAMES = List.of(
            "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local");

    /** The {@code kubernetes} service's cluster IP in K3s's default service CIDR (10.43.0.0/16). */
    static final String SERVICE_IP = "10.43.0.1";

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * The subject alternative names K3s puts in its serving certificate, as {@code DNS:…} and {@code IP:…}, without
     * repeats.
     *
     * @param nodeName the node's name ({@code --node-name}, else the host name)
     * @param tlsSans the {@code --tls-san} values, host names or IPs
     * @param nodeIps the node's IPs
     */
    static List<String> subjectAltNames(String nodeName, List<String> tlsSans, List<InetAddress> nodeIps) {
        Set<String> names = new LinkedHashSet<>();
        tlsSans.forEach(san -> names.add(typed(san)));
        names.add(typed(nodeName));
        names.add("DNS:localhost");
        names.add("IP:127.0.0.1");
        names.add("IP:0:0:0:0:0:0:0:1");
        nodeIps.forEach(ip -> names.add("IP:" + ip.getHostAddress()));
        KUBERNETES_NAMES.forEach(name -> names.add("DNS:" + name));
        names.add("IP:" + SERVICE_IP);
        return List.copyOf(names);
    }

    /** Issues a new CA and serving certificate for {@link #subjectAltNames}. */
    static K3sServingCertificate issue(String nodeName, List<String> tlsSans, List<InetAddress> nodeIps) {
        try {
            Instant now = Instant.now();
            KeyPair caKeys = ecKeyPair();
            X500Name caName = new X500Name("CN=k3s-server-ca@" + now.getEpochSecond());
            X509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(
                            caName,
                            serial(),
                            Date.from(now.minus(Duration.ofMinutes(5))),
                            Date.from(now.plus(Duration.ofDays(3650))),
                            caName,
                            caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(
                            Extension.keyUsage,
                            true,
                            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            X509Certificate ca = sign(caBuilder, caKeys.getPrivate());

            KeyPair keys = ecKeyPair();
            List<GeneralName> alternatives = new ArrayList<>();
            for (String name : subjectAltNames(nodeName, tlsSans, nodeIps)) {
                alternatives.add(
                        name.startsWith("IP:")
                                ? new GeneralName(GeneralName.iPAddress, name.substring(3))
                                : new GeneralName(GeneralName.dNSName, name.substring(4)));
            }
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            caName,
                            serial(),
                            Date.from(now.minus(Duration.ofMinutes(5))),
                            Date.from(now.plus(Duration.ofDays(365))),
                            new X500Name("O=k3s, CN=k3s"),
                            keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(
                            Extension.keyUsage,
                            true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(alternatives.toArray(GeneralName[]::new)));
            return new K3sServingCertificate(ca, sign(builder, caKeys.getPrivate()), keys.getPrivate());
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue the simulated K3s serving certificate", e);
        }
    }

    /** The CA as PEM, as K3s writes it into the kubeconfig. */
    String caPem() {
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(ca);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pem.toString();
    }

    private static String typed(String name) {
        // an IP literal as K3s's flag parser takes it: dotted IPv4 or an IPv6 with colons
        boolean ip = name.matches("\\d{1,3}(\\.\\d{1,3}){3}") || name.contains(":");
        return (ip ? "IP:" : "DNS:") + name;
    }

    private static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(63, RANDOM);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }
}
