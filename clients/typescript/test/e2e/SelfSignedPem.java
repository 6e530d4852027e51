// Writes a self-signed certificate for 127.0.0.1 and localhost as PEM files (certificate, PKCS#8 key), with the
// JDK's own keytool: java SelfSignedPem.java DIR. Used by the TypeScript end-to-end tests for wss://.
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.Base64;

public class SelfSignedPem {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path store = dir.resolve("master.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "master", "-keyalg", "RSA",
                "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost", "-ext",
                "SAN=ip:127.0.0.1,dns:localhost", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit").inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool failed");
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        Key key = keys.getKey("master", "changeit".toCharArray());
        Files.writeString(dir.resolve("master.crt.pem"), pem("CERTIFICATE", keys.getCertificate("master").getEncoded()));
        Files.writeString(dir.resolve("master.key.pem"), pem("PRIVATE KEY", key.getEncoded()));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
