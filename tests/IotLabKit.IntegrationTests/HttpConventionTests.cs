using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using IotLabKit.Protocol;

namespace IotLabKit.IntegrationTests;

public sealed class HttpConventionTests(EmulatorFixture hub) : IClassFixture<EmulatorFixture>
{
    [Theory]
    [InlineData("2018-06-30")]
    [InlineData("2019-10-01")]
    [InlineData("2020-05-31-preview")]
    [InlineData("2020-09-30")]
    [InlineData("2021-04-12")]
    public async Task Every_sdk_api_version_is_accepted(string apiVersion)
    {
        using var response = await hub.SendAsync(HttpMethod.Get, "/statistics/devices", apiVersion: apiVersion);
        await EmulatorFixture.ReadOkAsync(response);
    }

    [Fact]
    public async Task A_missing_api_version_is_400_InvalidProtocolVersion()
    {
        using var response = await hub.SendAsync(HttpMethod.Get, "/devices/", apiVersion: null);
        Assert.Contains("api-version", await EmulatorFixture.AssertHubErrorAsync(response, 400, "InvalidProtocolVersion"));
    }

    [Theory]
    [InlineData("GET", "/no/such/route")]
    [InlineData("POST", "/devices/x")]
    [InlineData("DELETE", "/twins/x")]
    public async Task Unknown_routes_get_a_404_envelope(string method, string path)
    {
        using var response = await hub.SendAsync(new HttpMethod(method), path);
        await EmulatorFixture.AssertHubErrorAsync(response, 404, "GenericNotFound");
    }

    [Fact]
    public async Task Every_response_carries_a_request_id_and_errors_reuse_it_as_tracking_id()
    {
        using var ok = await hub.Http.GetAsync("/health");
        Assert.True(Guid.TryParse(Assert.Single(ok.Headers.GetValues("x-ms-request-id")), out _));
        using var error = await hub.SendAsync(HttpMethod.Get, "/devices/nobody");
        var requestId = Guid.Parse(Assert.Single(error.Headers.GetValues("x-ms-request-id")));
        Assert.Contains($"Tracking ID:{requestId:N}", await error.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Keep_alive_reuses_one_connection_over_http_1_1()
    {
        var connections = 0;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = EmulatorTrust.CreateValidator(hub.Emulator.Status.CaCertificatePath) },
            ConnectCallback = async (context, token) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = hub.Emulator.BaseAddress, DefaultRequestVersion = HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/statistics/devices?api-version=2021-04-12");
            request.Headers.TryAddWithoutValidation("Authorization", hub.Emulator.CreateServiceToken());
            request.Headers.ConnectionClose = false;
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(HttpVersion.Version11, response.Version);
        }
        Assert.Equal(1, connections);
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Tls_1_2_and_1_3_are_offered_with_a_certificate_for_localhost_and_loopback(SslProtocols protocol)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, hub.Emulator.Status.HttpsPort);
        X509Certificate2? seen = null;
        var roots = EmulatorTrust.LoadCa(hub.Emulator.Status.CaCertificatePath);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, cert, _, errors) =>
        {
            seen = new X509Certificate2(cert!);
            return EmulatorTrust.Validate(cert, errors, roots);
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = protocol });
        Assert.Equal(protocol, tls.SslProtocol);
        var san = seen!.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("localhost", san.EnumerateDnsNames());
        Assert.Contains(IPAddress.Loopback, san.EnumerateIPAddresses());
        Assert.Contains(IPAddress.IPv6Loopback, san.EnumerateIPAddresses());
    }

    [Fact]
    public async Task Tls_1_1_is_refused()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, hub.Emulator.Status.HttpsPort);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
#pragma warning disable SYSLIB0039 // Deliberately asking for an obsolete protocol to prove it is refused.
        var attempt = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = SslProtocols.Tls11 });
#pragma warning restore SYSLIB0039
        await Assert.ThrowsAnyAsync<Exception>(() => attempt);
    }

    [Fact]
    public async Task A_body_over_4MB_is_413_MessageTooLarge_and_the_connection_stays_usable()
    {
        // With Expect: 100-continue the client waits for the server's verdict before sending 5 MB it would refuse.
        var huge = "{\"tags\":{\"blob\":\"" + new string('x', 5 * 1024 * 1024) + "\"}}";
        using var request = new HttpRequestMessage(HttpMethod.Patch, "/twins/whoever?api-version=2021-04-12")
        {
            Content = new StringContent(huge, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", hub.Emulator.CreateServiceToken());
        request.Headers.ExpectContinue = true;
        using var response = await hub.Http.SendAsync(request);
        await EmulatorFixture.AssertHubErrorAsync(response, 413, "MessageTooLarge");
        using var next = await hub.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }
}
