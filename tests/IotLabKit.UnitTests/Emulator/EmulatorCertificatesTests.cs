using System.Security.Cryptography.X509Certificates;
using IotLabKit.Emulator.Hosting;
using IotLabKit.Emulator.Security;
using IotLabKit.Protocol;

namespace IotLabKit.UnitTests.Emulator;

public sealed class EmulatorCertificatesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iotlabkit-certs-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void First_start_creates_a_ca_and_a_server_certificate_chained_to_it()
    {
        using var certs = EmulatorCertificates.LoadOrCreate(_dir, "myhub.test", TimeProvider.System);
        Assert.True(File.Exists(Path.Combine(_dir, "ca.pem")));
        var server = certs.ServerCertificate;
        Assert.True(server.HasPrivateKey);
        var san = server.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("localhost", san.EnumerateDnsNames());
        Assert.Contains("myhub.test", san.EnumerateDnsNames());
        Assert.Contains(System.Net.IPAddress.Loopback, san.EnumerateIPAddresses());
        Assert.Contains(System.Net.IPAddress.IPv6Loopback, san.EnumerateIPAddresses());
        Assert.True(server.NotAfter > DateTime.UtcNow.AddYears(2));

        var roots = EmulatorTrust.LoadCa(certs.CaCertificatePath);
        Assert.True(EmulatorTrust.Validate(server, System.Net.Security.SslPolicyErrors.None, roots));
    }

    [Fact]
    public void Later_starts_reuse_the_files_and_a_new_host_name_keeps_the_ca()
    {
        string caPem, serverThumb;
        using (var first = EmulatorCertificates.LoadOrCreate(_dir, "localhost", TimeProvider.System))
        {
            caPem = File.ReadAllText(first.CaCertificatePath);
            serverThumb = first.ServerCertificate.Thumbprint;
        }
        using (var again = EmulatorCertificates.LoadOrCreate(_dir, "localhost", TimeProvider.System))
        {
            Assert.Equal(serverThumb, again.ServerCertificate.Thumbprint);
            Assert.Equal(caPem, File.ReadAllText(again.CaCertificatePath));
        }
        using var renamed = EmulatorCertificates.LoadOrCreate(_dir, "other.test", TimeProvider.System);
        Assert.NotEqual(serverThumb, renamed.ServerCertificate.Thumbprint);
        Assert.Equal(caPem, File.ReadAllText(renamed.CaCertificatePath));
    }

    [Fact]
    public void Policy_keys_are_generated_once_and_kept()
    {
        var first = HubSettingsFile.LoadOrCreate(_dir);
        var second = HubSettingsFile.LoadOrCreate(_dir);
        Assert.Equal(5, first.All.Count);
        foreach (var policy in first.All)
            Assert.Equal(policy, second.Find(policy.Name));
    }
}
