using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IotLabKit.Testing;

namespace IotLabKit.IntegrationTests;

/// <summary>One real emulator process per test class, and raw HTTPS helpers to talk to it.</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    private EmulatorProcess? _emulator;
    private HttpClient? _http;

    /// <summary>The running emulator.</summary>
    public EmulatorProcess Emulator => _emulator ?? throw new InvalidOperationException("The emulator has not started.");

    /// <summary>A keep-alive client that trusts the emulator's CA.</summary>
    public HttpClient Http => _http ?? throw new InvalidOperationException("The emulator has not started.");

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorProcess.StartAsync();
        _http = _emulator.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_emulator is not null) await _emulator.DisposeAsync();
    }

    /// <summary>A device id no other test uses.</summary>
    public static string NewId(string prefix = "dev") => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>Sends a service request the way the SDKs do (api-version, SAS from <c>iothubowner</c> unless given).</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body = null, string? token = null,
        string? ifMatch = null, string? apiVersion = "2021-04-12")
    {
        var uri = apiVersion is null ? path : $"{path}{(path.Contains('?') ? '&' : '?')}api-version={apiVersion}";
        var request = new HttpRequestMessage(method, uri);
        request.Headers.TryAddWithoutValidation("Authorization", token ?? Emulator.CreateServiceToken());
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return Http.SendAsync(request);
    }

    /// <summary>Creates a device and returns its JSON.</summary>
    public async Task<JsonObject> CreateDeviceAsync(string id, string? body = null)
    {
        using var response = await SendAsync(HttpMethod.Put, $"/devices/{Uri.EscapeDataString(id)}", body ?? $$"""{"deviceId":"{{id}}"}""");
        return await ReadOkAsync(response);
    }

    /// <summary>Asserts a 200 with a JSON object body and returns it.</summary>
    public static async Task<JsonObject> ReadOkAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {text}");
        AssertJsonContentType(response);
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Asserts IoT Hub's error response: status, <c>iothub-errorcode</c>, content type and envelope body.</summary>
    public static async Task<string> AssertHubErrorAsync(HttpResponseMessage response, int status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(code, Assert.Single(response.Headers.GetValues("iothub-errorcode")));
        AssertJsonContentType(response);
        var body = JsonNode.Parse(text)!.AsObject();
        var message = (string)body["Message"]!;
        Assert.StartsWith($"ErrorCode:{code};", message);
        Assert.Matches(new Regex(@"^Tracking ID:[0-9a-f]{32}-G:0-TimeStamp:\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$"), (string)body["ExceptionMessage"]!);
        Assert.DoesNotContain("   at ", text);
        return message;
    }

    /// <summary>Asserts the exact JSON content type Node's SDK requires.</summary>
    public static void AssertJsonContentType(HttpResponseMessage response)
        => Assert.Equal(new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" }, response.Content.Headers.ContentType);
}
