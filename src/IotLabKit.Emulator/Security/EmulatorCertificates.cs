using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IotLabKit.Emulator.Security;

/// <summary>
/// The emulator's own certificate authority and TLS server certificate, kept in <c>&lt;data-dir&gt;/certs</c>:
/// <c>ca.pem</c> (what clients trust), <c>ca.key</c>, <c>server.pem</c> and <c>server.key</c>. Created on first
/// start (ECDSA P-256, which Node, .NET and OpenSSL all accept), reused afterwards. The server certificate is
/// re-issued from the same CA when the host name is not among its names or it is about to expire, so clients
/// that already trust <c>ca.pem</c> keep working.
/// </summary>
public sealed class EmulatorCertificates : IDisposable
{
    /// <summary>File names inside the certificate directory.</summary>
    public const string CaFile = "ca.pem", CaKeyFile = "ca.key", ServerFile = "server.pem", ServerKeyFile = "server.key";

    private static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    private static readonly TimeSpan ServerLifetime = TimeSpan.FromDays(3 * 365);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    private EmulatorCertificates(string caPath, X509Certificate2 ca, X509Certificate2 server)
    {
        CaCertificatePath = caPath;
        CaCertificate = ca;
        ServerCertificate = server;
    }

    /// <summary>The CA certificate file clients should trust.</summary>
    public string CaCertificatePath { get; }

    /// <summary>The CA certificate (public part).</summary>
    public X509Certificate2 CaCertificate { get; }

    /// <summary>The TLS server certificate, with its private key.</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>Loads the certificates from <paramref name="certsDir"/>, creating what is missing or unusable.</summary>
    public static EmulatorCertificates LoadOrCreate(string certsDir, string hostName, TimeProvider clock)
    {
        Directory.CreateDirectory(certsDir);
        var now = clock.GetUtcNow();
        var caPath = Path.Combine(certsDir, CaFile);
        var caKeyPath = Path.Combine(certsDir, CaKeyFile);
        var serverPath = Path.Combine(certsDir, ServerFile);
        var serverKeyPath = Path.Combine(certsDir, ServerKeyFile);

        var ca = TryLoad(caPath, caKeyPath);
        if (ca is null || ca.NotAfter.ToUniversalTime() <= now.UtcDateTime + RenewBefore)
        {
            ca?.Dispose();
            ca = CreateCa(now);
            WriteAtomically(caKeyPath, ExportKey(ca), secret: true);
            WriteAtomically(caPath, ca.ExportCertificatePem() + "\n", secret: false);
        }

        var server = TryLoad(serverPath, serverKeyPath);
        if (server is null || !IsUsable(server, ca, hostName, now))
        {
            server?.Dispose();
            server = CreateServer(ca, hostName, now);
            WriteAtomically(serverKeyPath, ExportKey(server), secret: true);
            WriteAtomically(serverPath, server.ExportCertificatePem() + "\n", secret: false);
        }

        // Ephemeral PEM keys do not work with SslStream on Windows; a PKCS#12 round trip gives a usable key everywhere.
        var serverForTls = X509CertificateLoader.LoadPkcs12(server.Export(X509ContentType.Pkcs12), null);
        server.Dispose();
        return new EmulatorCertificates(caPath, ca, serverForTls);
    }

    /// <summary>True when <paramref name="server"/> chains to <paramref name="ca"/>, names <paramref name="hostName"/> and is not about to expire.</summary>
    public static bool IsUsable(X509Certificate2 server, X509Certificate2 ca, string hostName, DateTimeOffset now)
    {
        if (server.NotAfter.ToUniversalTime() <= now.UtcDateTime + RenewBefore) return false;
        if (server.NotBefore.ToUniversalTime() > now.UtcDateTime) return false;
        var san = server.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null || !san.EnumerateDnsNames().Contains(hostName, StringComparer.OrdinalIgnoreCase)) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        return chain.Build(server);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        CaCertificate.Dispose();
        ServerCertificate.Dispose();
    }

    private static X509Certificate2 CreateCa(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var suffix = Convert.ToHexString(RandomNumberGenerator.GetBytes(4));
        var request = new CertificateRequest($"CN=IotLabKit Emulator CA {suffix}, O=IotLabKit", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddDays(-1), now + CaLifetime);
    }

    private static X509Certificate2 CreateServer(X509Certificate2 ca, string hostName, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostName}, O=IotLabKit", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        if (!string.Equals(hostName, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            if (System.Net.IPAddress.TryParse(hostName, out var ip)) san.AddIpAddress(ip);
            san.AddDnsName(hostName);
        }
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(san.Build());
        var notAfter = now + ServerLifetime;
        if (notAfter > ca.NotAfter) notAfter = ca.NotAfter;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(ca, now.AddDays(-1), notAfter, serial);
        return issued.CopyWithPrivateKey(key);
    }

    private static X509Certificate2? TryLoad(string certPath, string keyPath)
    {
        if (!File.Exists(certPath) || !File.Exists(keyPath)) return null;
        try { return X509Certificate2.CreateFromPemFile(certPath, keyPath); }
        catch (CryptographicException) { return null; }
    }

    private static string ExportKey(X509Certificate2 cert)
    {
        using var key = cert.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The certificate has no ECDSA private key.");
        return key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    private static void WriteAtomically(string path, string text, bool secret)
    {
        var temp = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temp, text);
        if (secret && !OperatingSystem.IsWindows())
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }
}
