extern alias DeviceSdk;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using IotLabKit.Testing;
using MQTTnet;
using MQTTnet.Protocol;
using DeviceSdk::IotLabKit.Device;

namespace IotLabKit.IntegrationTests.Devices;

/// <summary>
/// Devices across an emulator restart (same ports, same data directory): our client reconnects on its own and
/// follows IoT Hub's reconnection flow, and a device that never subscribes again (as Node's SDK) keeps its session.
/// </summary>
public sealed class DeviceRestartTests
{
    [Fact]
    public async Task Devices_keep_working_after_the_emulator_is_killed_and_restarted()
    {
        await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { HttpsPort = FreePort(), MqttPort = FreePort() });
        using var http = emulator.CreateHttpClient();
        var (ours, oursKey) = await CreateDeviceAsync(emulator, http, "ours");
        var (raw, rawKey) = await CreateDeviceAsync(emulator, http, "raw");

        await using var client = DeviceClient.CreateFromConnectionString(emulator.DeviceConnectionString(ours, oursKey), TransportType.Mqtt,
            new DeviceClientOptions { CaCertificatePath = emulator.Status.CaCertificatePath, ReconnectMaxBackoff = TimeSpan.FromMilliseconds(500) });
        var desired = System.Threading.Channels.Channel.CreateUnbounded<TwinCollection>();
        await client.SetDesiredPropertyUpdateCallbackAsync((patch, _) => { desired.Writer.TryWrite(patch); return Task.CompletedTask; }, null);
        await client.SetMethodHandlerAsync("ping", (request, _) => Task.FromResult(new MethodResponse(Encoding.UTF8.GetBytes("\"pong\""), 200)), null);

        // A device that subscribes once, like Node's SDK, with a persistent session.
        using var once = new MqttClientFactory().CreateMqttClient();
        var requests = System.Threading.Channels.Channel.CreateUnbounded<MqttApplicationMessage>();
        once.ApplicationMessageReceivedAsync += e => { requests.Writer.TryWrite(e.ApplicationMessage); return Task.CompletedTask; };
        var rawOptions = RawOptions(emulator, raw, rawKey);
        await once.ConnectAsync(rawOptions);
        await once.SubscribeAsync("$iothub/methods/POST/#", MqttQualityOfServiceLevel.AtMostOnce);
        await once.DisconnectAsync();

        await emulator.KillAsync();
        await emulator.RestartAsync();

        // Changed while our client was away: its reconnection GETs the twin and delivers the change.
        await SendAsync(emulator, http, HttpMethod.Patch, $"/twins/{ours}", """{"properties":{"desired":{"afterRestart":true}}}""");
        var patch = await desired.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        bool after = patch["afterRestart"];
        Assert.True(after);

        var answer = JsonNode.Parse(await SendAsync(emulator, http, HttpMethod.Post, $"/twins/{ours}/methods",
            """{"methodName":"ping","responseTimeoutInSeconds":10,"connectTimeoutInSeconds":30}"""))!;
        Assert.Equal("pong", (string?)answer["payload"]);

        // The once-subscribed device reconnects without subscribing and still gets method requests.
        var reconnected = await once.ConnectAsync(rawOptions);
        Assert.Equal(MqttClientConnectResultCode.Success, reconnected.ResultCode);
        var call = SendAsync(emulator, http, HttpMethod.Post, $"/twins/{raw}/methods", """{"methodName":"still","payload":1,"responseTimeoutInSeconds":10}""");
        var request = await requests.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.StartsWith("$iothub/methods/POST/still/?$rid=", request.Topic);
        var rid = request.Topic[(request.Topic.IndexOf('=') + 1)..];
        await once.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"$iothub/methods/res/200/?$rid={rid}").WithPayload("2").Build());
        Assert.Equal(2, (int)JsonNode.Parse(await call)!["payload"]!);
    }

    private static MqttClientOptions RawOptions(EmulatorProcess emulator, string id, string key)
    {
        var roots = Protocol.EmulatorTrust.LoadCa(emulator.Status.CaCertificatePath);
        return new MqttClientOptionsBuilder()
            .WithTcpServer("localhost", emulator.Status.MqttPort)
            .WithClientId(id)
            .WithCredentials($"{emulator.HostNameWithPort}/{id}/?api-version=2021-04-12",
                Protocol.SharedAccessSignature.Create($"{emulator.HostNameWithPort}/devices/{id}", key, null, DateTimeOffset.UtcNow.AddHours(1)))
            .WithCleanSession(false)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
            .WithTlsOptions(tls => tls.UseTls(true).WithTargetHost("localhost")
                .WithCertificateValidationHandler(a => Protocol.EmulatorTrust.Validate(a.Certificate, a.SslPolicyErrors, roots)))
            .Build();
    }

    private static async Task<(string Id, string Key)> CreateDeviceAsync(EmulatorProcess emulator, HttpClient http, string prefix)
    {
        var id = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        var device = JsonNode.Parse(await SendAsync(emulator, http, HttpMethod.Put, $"/devices/{id}", $$"""{"deviceId":"{{id}}"}"""))!;
        return (id, (string)device["authentication"]!["symmetricKey"]!["primaryKey"]!);
    }

    private static async Task<string> SendAsync(EmulatorProcess emulator, HttpClient http, HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, $"{path}?api-version=2021-04-12");
        request.Headers.TryAddWithoutValidation("Authorization", emulator.CreateServiceToken());
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
