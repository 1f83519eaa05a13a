extern alias DeviceSdk;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IotLabKit.Protocol;
using IotLabKit.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using DeviceSdk::IotLabKit.Device;

namespace IotLabKit.IntegrationTests.Devices;

/// <summary>
/// One real emulator for the device-endpoint tests, with helpers to register devices, connect them with our own
/// <see cref="DeviceClient"/> or with a raw MQTTnet client (to test wire rules no SDK would break), and to call the
/// service REST API the way the SDKs do.
/// </summary>
public sealed class DeviceHubFixture : IAsyncLifetime
{
    private EmulatorProcess? _emulator;
    private HttpClient? _http;

    /// <summary>The running emulator.</summary>
    public EmulatorProcess Emulator => _emulator ?? throw new InvalidOperationException("The emulator has not started.");

    /// <summary>A keep-alive HTTPS client that trusts the emulator's CA.</summary>
    public HttpClient Http => _http ?? throw new InvalidOperationException("The emulator has not started.");

    /// <summary>The emulator's CA file.</summary>
    public string CaPath => Emulator.Status.CaCertificatePath;

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { InMemory = true });
        _http = _emulator.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_emulator is not null) await _emulator.DisposeAsync();
    }

    /// <summary>Registers a device; returns its id and primary key.</summary>
    public async Task<(string Id, string Key)> CreateDeviceAsync(string prefix = "mqtt", string status = "enabled")
    {
        var id = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
        using var response = await SendAsync(HttpMethod.Put, $"/devices/{id}", $$"""{"deviceId":"{{id}}","status":"{{status}}"}""");
        var device = await EmulatorFixture.ReadOkAsync(response);
        return (id, (string)device["authentication"]!["symmetricKey"]!["primaryKey"]!);
    }

    /// <summary>Our device client for a device, trusting the emulator's CA.</summary>
    public DeviceClient NewClient(string id, string key, bool viaMqttPort = false, TransportType transport = TransportType.Mqtt,
        TimeSpan? sasTimeToLive = null)
        => DeviceClient.CreateFromConnectionString(Emulator.DeviceConnectionString(id, key, viaMqttPort), transport,
            new DeviceClientOptions
            {
                CaCertificatePath = CaPath,
                SasTokenTimeToLive = sasTimeToLive ?? TimeSpan.FromHours(1),
                ReconnectMaxBackoff = TimeSpan.FromSeconds(1),
            });

    /// <summary>Sends a service request (api-version, iothubowner SAS).</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body = null)
    {
        var request = new HttpRequestMessage(method, $"{path}{(path.Contains('?') ? '&' : '?')}api-version=2021-04-12");
        request.Headers.TryAddWithoutValidation("Authorization", Emulator.CreateServiceToken());
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return Http.SendAsync(request);
    }

    /// <summary><c>POST /twins/{id}/methods</c> with a raw JSON body.</summary>
    public Task<HttpResponseMessage> InvokeMethodAsync(string deviceId, string body) => SendAsync(HttpMethod.Post, $"/twins/{deviceId}/methods", body);

    /// <summary>Reads a JSON object from a service GET.</summary>
    public async Task<JsonObject> GetJsonAsync(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path);
        return await EmulatorFixture.ReadOkAsync(response);
    }

    /// <summary>Patches desired properties over REST (as a back end would).</summary>
    public async Task<JsonObject> PatchDesiredAsync(string deviceId, JsonObject desired)
    {
        using var response = await SendAsync(HttpMethod.Patch, $"/twins/{deviceId}",
            new JsonObject { ["properties"] = new JsonObject { ["desired"] = desired } }.ToJsonString());
        return await EmulatorFixture.ReadOkAsync(response);
    }

    /// <summary>Options for a raw MQTT client that connects as a device the way the SDKs do.</summary>
    public MqttClientOptions RawOptions(string id, string key, bool cleanSession = false, string? userName = null, string? password = null,
        MqttProtocolVersion protocol = MqttProtocolVersion.V311)
    {
        var host = Emulator.HostNameWithPort;
        var roots = EmulatorTrust.LoadCa(CaPath);
        return new MqttClientOptionsBuilder()
            .WithTcpServer("localhost", Emulator.Status.MqttPort)
            .WithClientId(id)
            .WithCredentials(userName ?? $"{host}/{id}/?api-version=2021-04-12&DeviceClientType=raw-test",
                password ?? SharedAccessSignature.Create($"{host}/devices/{id}", key, null, DateTimeOffset.UtcNow.AddHours(1)))
            .WithCleanSession(cleanSession)
            .WithProtocolVersion(protocol)
            .WithTimeout(TimeSpan.FromSeconds(30))
            .WithTlsOptions(tls => tls.UseTls(true).WithTargetHost("localhost")
                .WithCertificateValidationHandler(a => EmulatorTrust.Validate(a.Certificate, a.SslPolicyErrors, roots)))
            .Build();
    }
}

