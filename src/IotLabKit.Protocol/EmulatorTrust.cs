using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace IotLabKit.Protocol;

/// <summary>
/// How IotLabKit clients trust an emulator: when the connection string says
/// <c>UseDevelopmentEmulator=true</c>, the server chain must validate against one CA file (the emulator's own),
/// found in this order: an explicit path, the <c>IOTLABKIT_EMULATOR_CA</c> environment variable, the default
/// emulator data folder. Without the flag, clients use the system trust store (a real hub).
/// </summary>
public static class EmulatorTrust
{
    /// <summary>The environment variable that names the emulator's CA file.</summary>
    public const string CaEnvironmentVariable = "IOTLABKIT_EMULATOR_CA";

    /// <summary>The emulator's default data folder: <c>&lt;LocalApplicationData&gt;/IotLabKit/emulator</c>.</summary>
    public static string DefaultDataDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "IotLabKit", "emulator");

    /// <summary>The CA file in the default data folder.</summary>
    public static string DefaultCaPath => Path.Combine(DefaultDataDirectory, "certs", "ca.pem");

    /// <summary>
    /// Finds the CA file: <paramref name="explicitPath"/> when given (it must exist), else the environment
    /// variable, else the default path.
    /// </summary>
    /// <exception cref="FileNotFoundException">The explicit file is missing, or no CA file exists at the other places; the message lists them.</exception>
    public static string ResolveCaPath(string? explicitPath)
    {
        // An explicit path is the caller's decision: if it is wrong, say so rather than trust something else.
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            if (File.Exists(explicitPath)) return Path.GetFullPath(explicitPath);
            throw new FileNotFoundException($"The emulator CA certificate '{explicitPath}' (the CaCertificatePath option) does not exist.", explicitPath);
        }
        var tried = new List<string>();
        foreach (var (candidate, source) in new[]
                 {
                     (Environment.GetEnvironmentVariable(CaEnvironmentVariable), $"the {CaEnvironmentVariable} environment variable"),
                     ((string?)DefaultCaPath, "the emulator's default data folder"),
                 })
        {
            if (string.IsNullOrWhiteSpace(candidate)) continue;
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
            tried.Add($"{candidate} ({source})");
        }
        throw new FileNotFoundException(
            "The connection string says UseDevelopmentEmulator=true, but the emulator's CA certificate was not found. Looked at: "
            + (tried.Count == 0 ? "nothing (no path given)" : string.Join("; ", tried))
            + ". Pass the CA path (the emulator prints it and writes it to its status file) or set "
            + CaEnvironmentVariable + ".");
    }

    /// <summary>Loads the CA certificate(s) from a PEM file.</summary>
    public static X509Certificate2Collection LoadCa(string caPath)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(caPath);
        if (collection.Count == 0) throw new InvalidDataException($"No certificate found in {caPath}.");
        return collection;
    }

    /// <summary>
    /// Validates a server certificate against <paramref name="trustedRoots"/> only (custom root trust),
    /// and requires the name to match (<paramref name="errors"/> must not report a name mismatch).
    /// </summary>
    public static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection trustedRoots)
    {
        if (certificate is null) return false;
        if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trustedRoots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    /// <summary>
    /// A server-certificate callback for <see cref="SslClientAuthenticationOptions"/> or
    /// <c>HttpClientHandler</c> that trusts only the emulator's CA at <paramref name="caPath"/>.
    /// </summary>
    public static RemoteCertificateValidationCallback CreateValidator(string caPath)
    {
        var roots = LoadCa(caPath);
        return (_, cert, _, errors) => Validate(cert, errors, roots);
    }
}
