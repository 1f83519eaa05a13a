using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IotLabKit.Protocol;
using IotLabKit.Service;

namespace IotLabKit.IntegrationTests;

[Collection(ServiceEmulatorCollection.Name)]
public sealed class ServiceSecurityTests(ServiceEmulatorFixture hub)
{
    private static readonly string WrongKey = Convert.ToBase64String(new byte[32]);

    [Fact]
    public async Task A_wrong_key_is_Unauthorized()
    {
        var cs = new IotHubConnectionString
        {
            HostName = hub.Emulator.HostNameWithPort,
            SharedAccessKeyName = "iothubowner",
            SharedAccessKey = WrongKey,
            UseDevelopmentEmulator = true,
        }.ToString();
        using var registry = RegistryManager.CreateFromConnectionString(cs, hub.Options());
        var ex = await Assert.ThrowsAsync<UnauthorizedException>(() => registry.GetRegistryStatisticsAsync());
        Assert.Equal(401, ex.StatusCode);
        Assert.Equal(IotHubErrorCode.IotHubUnauthorizedAccess, ex.ErrorCode);
        Assert.False(ex.IsTransient);
    }

    [Fact]
    public async Task A_policy_without_the_right_is_Unauthorized()
    {
        using var reader = hub.Registry("registryRead");
        await reader.GetRegistryStatisticsAsync();
        var ex = await Assert.ThrowsAsync<UnauthorizedException>(() => reader.AddDeviceAsync(new Device(ServiceEmulatorFixture.NewDeviceId("noright"))));
        Assert.Equal(IotHubErrorCode.IotHubUnauthorizedAccess, ex.ErrorCode);
    }

    [Fact]
    public async Task A_shared_access_signature_in_the_connection_string_works_and_an_expired_one_does_not()
    {
        var good = $"HostName={hub.Emulator.HostNameWithPort};SharedAccessKeyName=iothubowner;SharedAccessSignature={hub.Emulator.CreateServiceToken()};UseDevelopmentEmulator=true";
        using (var registry = RegistryManager.CreateFromConnectionString(good, hub.Options()))
            Assert.True((await registry.GetRegistryStatisticsAsync()).TotalDeviceCount >= 0);

        var expiredToken = SharedAccessSignature.Create(hub.Emulator.HostNameWithPort, hub.Emulator.Status.Policies["iothubowner"], "iothubowner", DateTimeOffset.UtcNow.AddHours(-1));
        var expired = $"HostName={hub.Emulator.HostNameWithPort};SharedAccessKeyName=iothubowner;SharedAccessSignature={expiredToken};UseDevelopmentEmulator=true";
        using (var registry = RegistryManager.CreateFromConnectionString(expired, hub.Options()))
            await Assert.ThrowsAsync<UnauthorizedException>(() => registry.GetRegistryStatisticsAsync());
    }

    [Fact]
    public async Task With_the_emulator_flag_and_its_CA_the_connection_is_trusted()
    {
        using var registry = RegistryManager.CreateFromConnectionString(hub.Emulator.ConnectionString(),
            new ServiceClientOptions { CaCertificatePath = hub.Emulator.Status.CaCertificatePath });
        var stats = await registry.GetRegistryStatisticsAsync();
        Assert.True(stats.TotalDeviceCount >= 0);
    }

    [Fact]
    public async Task Without_the_emulator_flag_the_system_store_rejects_it_with_a_clear_message()
    {
        var cs = hub.Emulator.ConnectionString().Replace(";UseDevelopmentEmulator=true", "", StringComparison.Ordinal);
        using var registry = RegistryManager.CreateFromConnectionString(cs, hub.Options());
        var ex = await Assert.ThrowsAsync<IotHubCommunicationException>(() => registry.GetRegistryStatisticsAsync());
        Assert.Contains("TLS", ex.Message);
        Assert.Contains("not trusted", ex.Message);
        Assert.Contains("UseDevelopmentEmulator=true", ex.Message);
        Assert.Equal(0, ex.StatusCode);
    }

    [Fact]
    public async Task With_the_flag_but_another_CA_the_handshake_fails_naming_the_CA_file()
    {
        var otherCa = Path.Combine(Path.GetTempPath(), $"iotlabkit-other-ca-{Guid.NewGuid():N}.pem");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var request = new CertificateRequest("CN=Not the emulator CA", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllTextAsync(otherCa, ca.ExportCertificatePem());
        }
        try
        {
            using var registry = RegistryManager.CreateFromConnectionString(hub.Emulator.ConnectionString(),
                new ServiceClientOptions { CaCertificatePath = otherCa });
            var ex = await Assert.ThrowsAsync<IotHubCommunicationException>(() => registry.GetRegistryStatisticsAsync());
            Assert.Contains("TLS", ex.Message);
            Assert.Contains(otherCa, ex.Message);
            Assert.Contains("does not chain", ex.Message);
        }
        finally
        {
            File.Delete(otherCa);
        }
    }

    [Fact]
    public async Task Nothing_listening_is_connection_refused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var cs = $"HostName=127.0.0.1:{port};SharedAccessKeyName=iothubowner;SharedAccessKey={WrongKey};UseDevelopmentEmulator=true";
        using var registry = RegistryManager.CreateFromConnectionString(cs, hub.Options());
        var ex = await Assert.ThrowsAsync<IotHubCommunicationException>(() => registry.GetDeviceAsync("d1"));
        Assert.Contains($"cannot reach 127.0.0.1:{port}: connection refused", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(ex.IsTransient);
    }
}
