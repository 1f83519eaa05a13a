using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IotLabKit.Protocol;

namespace IotLabKit.Service.Transport;

/// <summary>
/// The TLS callback for an IotLabKit emulator (connection string <c>UseDevelopmentEmulator=true</c>). The rule itself
/// — where the CA file is looked for, and that only it is trusted — is <see cref="EmulatorTrust"/>'s; this adds the
/// reason of the last rejection so the client's error message can say what was wrong.
/// </summary>
internal sealed class EmulatorCertificateTrust
{
    private readonly X509Certificate2Collection _roots;
    private volatile string? _lastRejection;

    private EmulatorCertificateTrust(string caPath, X509Certificate2Collection roots)
    {
        CaPath = caPath;
        _roots = roots;
    }

    /// <summary>The CA file the client trusts.</summary>
    public string CaPath { get; }

    /// <summary>Why the last server certificate was rejected, if one was.</summary>
    public string? LastRejection => _lastRejection;

    /// <summary>Finds and loads the CA per <see cref="EmulatorTrust.ResolveCaPath"/>.</summary>
    /// <exception cref="FileNotFoundException">No CA file; the message names every place looked at.</exception>
    /// <exception cref="InvalidDataException">The file holds no certificate.</exception>
    public static EmulatorCertificateTrust Load(string? optionPath)
    {
        var path = EmulatorTrust.ResolveCaPath(optionPath);
        try
        {
            return new EmulatorCertificateTrust(path, EmulatorTrust.LoadCa(path));
        }
        catch (CryptographicException ex)
        {
            throw new InvalidDataException($"The emulator CA file '{path}' is not a PEM certificate: {ex.Message}", ex);
        }
    }

    /// <summary>The TLS validation callback.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (EmulatorTrust.Validate(certificate, errors, _roots))
        {
            _lastRejection = null;
            return true;
        }
        _lastRejection = certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0
            ? "the server sent no certificate"
            : (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0
                ? $"the server certificate '{certificate.Subject}' is not issued for this host name"
                : $"the server certificate '{certificate.Subject}' does not chain to the emulator CA in {CaPath}";
        return false;
    }
}
