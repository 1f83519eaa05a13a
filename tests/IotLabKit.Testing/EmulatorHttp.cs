using System.Net.Security;
using IotLabKit.Protocol;

namespace IotLabKit.Testing;

/// <summary>HTTP clients that trust an emulator's CA (and nothing else), for raw HTTPS tests.</summary>
public static class EmulatorHttp
{
    /// <summary>A handler that validates the server chain against the CA at <paramref name="caPath"/>; keep-alive on.</summary>
    public static SocketsHttpHandler CreateHandler(string caPath) => new()
    {
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = EmulatorTrust.CreateValidator(caPath) },
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    /// <summary>A client with <paramref name="baseAddress"/> that trusts the CA at <paramref name="caPath"/>.</summary>
    public static HttpClient CreateClient(string caPath, Uri baseAddress)
        => new(CreateHandler(caPath)) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
}
