using System.Net;
using System.Text;
using IotLabKit.Protocol;
using IotLabKit.Service;

namespace IotLabKit.UnitTests.Service;

/// <summary>
/// The client's request shaping and retry rules, against a scripted handler (the real-emulator tests in
/// IotLabKit.IntegrationTests cover the same calls end to end; these pin what a hub cannot be made to do on demand,
/// like answering 429).
/// </summary>
public class ServiceHttpPlumbingTests
{
    private const string Key = "c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzLTAwMDA=";
    private const string ConnectionString = $"HostName=localhost:8443;SharedAccessKeyName=iothubowner;SharedAccessKey={Key}";
    private const string DeviceBody = """{"deviceId":"a#b","etag":"MQ==","status":"enabled","authentication":{"type":"sas"}}""";
    private const string TwinBody = """{"deviceId":"d1","etag":"AAAAAAAAAAI=","properties":{"desired":{"$version":2},"reported":{"$version":1}}}""";

    private sealed record Seen(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, string? Body);

    private sealed class ScriptedHandler(params (HttpStatusCode Status, string Body, string? ErrorCode)[] answers) : HttpMessageHandler
    {
        private int _next;
        public List<Seen> Requests { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
            string? body = null;
            if (request.Content is not null)
            {
                headers["Content-Type"] = request.Content.Headers.ContentType!.ToString();
                body = await request.Content.ReadAsStringAsync(cancellationToken);
            }
            Requests.Add(new Seen(request.Method, request.RequestUri!, headers, body));
            var (status, text, code) = answers[Math.Min(_next++, answers.Length - 1)];
            var response = new HttpResponseMessage(status) { Content = new StringContent(text, Encoding.UTF8, "application/json") };
            if (code is not null) response.Headers.TryAddWithoutValidation("iothub-errorcode", code);
            return response;
        }
    }

    private static RegistryManager Create(ScriptedHandler handler, int maxAttempts = 4)
        => RegistryManager.CreateFromConnectionString(ConnectionString, new ServiceClientOptions
        {
            HttpMessageHandler = handler,
            RetryPolicy = new RetryPolicy { MaxAttempts = maxAttempts, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero },
        });

    private static (HttpStatusCode, string, string?) Ok(string body) => (HttpStatusCode.OK, body, null);

    private static (HttpStatusCode, string, string?) Error(int status, string code)
        => ((HttpStatusCode)status, $$"""{"Message":"ErrorCode:{{code}};text for {{code}}","ExceptionMessage":"Tracking ID:t-G:1-TimeStamp:x"}""", code);

    [Fact]
    public async Task Add_device_sends_PUT_with_encoded_id_api_version_sas_user_agent_json_and_no_if_match()
    {
        var handler = new ScriptedHandler(Ok(DeviceBody));
        using var registry = Create(handler);
        var created = await registry.AddDeviceAsync(new Device("a#b"));

        Assert.Equal("MQ==", created.ETag);
        var r = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Put, r.Method);
        Assert.Equal("https://localhost:8443/devices/a%23b?api-version=2021-04-12", r.Uri.AbsoluteUri);
        Assert.StartsWith("SharedAccessSignature sr=localhost%3A8443&sig=", r.Headers["Authorization"]);
        Assert.Contains("&skn=iothubowner", r.Headers["Authorization"]);
        Assert.StartsWith("iotlabkit-service/", r.Headers["User-Agent"]);
        Assert.Equal("application/json; charset=utf-8", r.Headers["Content-Type"]);
        Assert.Equal("application/json", r.Headers["Accept"]);
        Assert.False(r.Headers.ContainsKey("If-Match"));
        Assert.Contains("\"deviceId\":\"a#b\"", r.Body);
        Assert.Contains("\"type\":\"sas\"", r.Body);
    }

    [Fact]
    public async Task Update_device_sends_its_etag_quoted_or_star_when_forced()
    {
        var handler = new ScriptedHandler(Ok(DeviceBody));
        using var registry = Create(handler);
        await registry.UpdateDeviceAsync(new Device("d1") { ETag = "MQ==" });
        await registry.UpdateDeviceAsync(new Device("d1"), forceUpdate: true);
        Assert.Equal("\"MQ==\"", handler.Requests[0].Headers["If-Match"]);
        Assert.Equal("\"*\"", handler.Requests[1].Headers["If-Match"]);
    }

    [Fact]
    public async Task Client_side_argument_errors_send_nothing()
    {
        var handler = new ScriptedHandler(Ok(DeviceBody));
        using var registry = Create(handler);
        await Assert.ThrowsAsync<ArgumentException>(() => registry.UpdateDeviceAsync(new Device("d1")));
        await Assert.ThrowsAsync<ArgumentException>(() => registry.AddDeviceAsync(new Device("d1") { ETag = "MQ==" }));
        await Assert.ThrowsAsync<ArgumentException>(() => registry.RemoveDeviceAsync(new Device("d1")));
        await Assert.ThrowsAsync<ArgumentException>(() => registry.GetDeviceAsync("has space"));
        await Assert.ThrowsAsync<ArgumentException>(() => registry.GetDeviceAsync(new string('x', 129)));
        await Assert.ThrowsAsync<ArgumentException>(() => registry.UpdateTwinAsync("d1", "[1]", "*"));
        await Assert.ThrowsAsync<ArgumentException>(() => registry.UpdateTwinAsync("d1", "{}", ""));
        await Assert.ThrowsAsync<ArgumentException>(() => registry.AddDeviceAsync(new Device("d1")
        {
            Authentication = new AuthenticationMechanism { SymmetricKey = new SymmetricKey { PrimaryKey = "c2hvcnQ=" } },
        }));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Remove_by_id_is_unconditional_and_by_device_uses_its_etag()
    {
        var handler = new ScriptedHandler((HttpStatusCode.NoContent, "", null));
        using var registry = Create(handler);
        await registry.RemoveDeviceAsync("d1");
        await registry.RemoveDeviceAsync(new Device("d1") { ETag = "\"Mg==\"" });
        Assert.All(handler.Requests, r => Assert.Equal(HttpMethod.Delete, r.Method));
        Assert.Equal("\"*\"", handler.Requests[0].Headers["If-Match"]);
        Assert.Equal("\"Mg==\"", handler.Requests[1].Headers["If-Match"]);
    }

    [Fact]
    public async Task Twin_patch_and_replace_use_PATCH_and_PUT_on_twins_with_the_etag()
    {
        var handler = new ScriptedHandler(Ok(TwinBody));
        using var registry = Create(handler);
        var patch = new Twin();
        patch.Properties.Desired["x"] = 1;
        await registry.UpdateTwinAsync("d1", patch, "AAAAAAAAAAE=");
        await registry.ReplaceTwinAsync("d1", """{"tags":{"a":1}}""", "*");

        Assert.Equal(HttpMethod.Patch, handler.Requests[0].Method);
        Assert.Equal("https://localhost:8443/twins/d1?api-version=2021-04-12", handler.Requests[0].Uri.AbsoluteUri);
        Assert.Equal("\"AAAAAAAAAAE=\"", handler.Requests[0].Headers["If-Match"]);
        Assert.Equal("""{"properties":{"desired":{"x":1}}}""", handler.Requests[0].Body);
        Assert.Equal(HttpMethod.Put, handler.Requests[1].Method);
        Assert.Equal("\"*\"", handler.Requests[1].Headers["If-Match"]);
        Assert.Equal("""{"tags":{"a":1}}""", handler.Requests[1].Body);
    }

    [Fact]
    public async Task A_relaxed_twin_patch_as_Lab_15_writes_it_goes_out_as_strict_json()
    {
        // AZ-220 Lab 15's operator patches the twin with relaxed JSON, which Microsoft's SDK accepts (Newtonsoft).
        var handler = new ScriptedHandler(Ok(TwinBody));
        using var registry = Create(handler);
        const string patch = """
            {
                tags: { customerID: 'Customer1', cheeseCave: 'CheeseCave1', },
                // values are strings, as in the lab
                properties: { desired: { patchId: 'set values', temperature: '50', humidity: '85', note: 'it\'s "ok"', on: true } }
            }
            """;
        await registry.UpdateTwinAsync("d1", patch, "AAAAAAAAAAE=");

        Assert.Equal(
            """{"tags":{"customerID":"Customer1","cheeseCave":"CheeseCave1"},"properties":{"desired":{"patchId":"set values","temperature":"50","humidity":"85","note":"it's \"ok\"","on":true}}}""",
            handler.Requests[0].Body);
    }

    [Theory]
    [InlineData("{ tags: { a: 'unterminated } }")]
    [InlineData("{ tags: { a: bare } }")]
    [InlineData("[ 'not an object' ]")]
    public async Task Twin_json_that_is_not_an_object_even_relaxed_is_refused_before_any_request(string json)
    {
        var handler = new ScriptedHandler(Ok(TwinBody));
        using var registry = Create(handler);
        await Assert.ThrowsAsync<ArgumentException>(() => registry.UpdateTwinAsync("d1", json, "*"));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Device_list_uses_the_trailing_slash_and_top()
    {
        var handler = new ScriptedHandler(Ok($"[{DeviceBody},{DeviceBody}]"));
        using var registry = Create(handler);
        var devices = (await registry.GetDevicesAsync(5)).ToList();
        Assert.Equal(2, devices.Count);
        Assert.Equal("https://localhost:8443/devices/?top=5&api-version=2021-04-12", handler.Requests[0].Uri.AbsoluteUri);
    }

    [Fact]
    public async Task Throttled_and_busy_answers_are_retried_until_success()
    {
        var handler = new ScriptedHandler(Error(429, "ThrottlingException"), Error(503, "ServiceUnavailable"), Ok(TwinBody));
        using var registry = Create(handler);
        var twin = await registry.GetTwinAsync("d1");
        Assert.Equal("AAAAAAAAAAI=", twin.ETag);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task Retries_stop_after_max_attempts_with_the_last_error()
    {
        var handler = new ScriptedHandler(Error(429, "ThrottlingException"));
        using var registry = Create(handler, maxAttempts: 3);
        var ex = await Assert.ThrowsAsync<ThrottlingException>(() => registry.GetTwinAsync("d1"));
        Assert.Equal(3, handler.Requests.Count);
        Assert.True(ex.IsTransient);
        Assert.Equal("text for ThrottlingException", ex.Message);
        Assert.Equal("t-G:1", ex.TrackingId);
    }

    [Theory]
    [InlineData(400, "ArgumentInvalid")]
    [InlineData(401, "IotHubUnauthorizedAccess")]
    [InlineData(404, "DeviceNotFound")]
    [InlineData(409, "DeviceAlreadyExists")]
    [InlineData(412, "PreconditionFailed")]
    [InlineData(500, "ServerError")]
    public async Task Other_errors_are_not_retried(int status, string code)
    {
        var handler = new ScriptedHandler(Error(status, code), Ok(TwinBody));
        using var registry = Create(handler);
        var ex = await Assert.ThrowsAnyAsync<IotHubException>(() => registry.GetTwinAsync("d1"));
        Assert.Single(handler.Requests);
        Assert.Equal(status, ex.StatusCode);
        Assert.Equal(code, ex.ErrorName);
    }

    [Fact]
    public async Task Get_device_gives_null_for_DeviceNotFound_but_throws_for_other_errors()
    {
        using (var registry = Create(new ScriptedHandler(Error(404, "DeviceNotFound"))))
            Assert.Null(await registry.GetDeviceAsync("nope"));
        using (var registry = Create(new ScriptedHandler(Error(401, "IotHubUnauthorizedAccess"))))
            await Assert.ThrowsAsync<UnauthorizedException>(() => registry.GetDeviceAsync("d1"));
    }

    [Fact]
    public async Task A_success_body_that_is_not_the_expected_json_is_a_clear_error()
    {
        using var registry = Create(new ScriptedHandler(Ok("<html/>")));
        var ex = await Assert.ThrowsAsync<IotHubException>(() => registry.GetTwinAsync("d1"));
        Assert.Contains("could not be read as Twin", ex.Message);
    }

    [Fact]
    public void Connection_strings_that_are_not_service_ones_are_refused_clearly()
    {
        var device = Assert.Throws<ArgumentException>(() => RegistryManager.CreateFromConnectionString($"HostName=h;DeviceId=d;SharedAccessKey={Key}"));
        Assert.Contains("device connection string", device.Message);
        var noPolicy = Assert.Throws<ArgumentException>(() => RegistryManager.CreateFromConnectionString($"HostName=h;SharedAccessKey={Key}"));
        Assert.Contains("SharedAccessKeyName", noPolicy.Message);
        Assert.Throws<ArgumentException>(() => RegistryManager.CreateFromConnectionString("nonsense"));
    }

    [Fact]
    public void Emulator_mode_with_a_missing_explicit_ca_file_names_it_and_trusts_nothing_else()
    {
        var missing = Path.Combine(Path.GetTempPath(), "iotlabkit-no-such-dir", "ca.pem");
        var options = new ServiceClientOptions { CaCertificatePath = missing };
        var connection = ConnectionString + ";UseDevelopmentEmulator=true";
        var ex = Assert.Throws<FileNotFoundException>(() => RegistryManager.CreateFromConnectionString(connection, options));
        Assert.Contains(missing, ex.Message);
        Assert.Contains("CaCertificatePath", ex.Message);
    }

    private sealed class SilentHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    [Fact]
    public async Task A_hub_that_never_answers_is_a_communication_error_naming_the_timeout()
    {
        using var registry = RegistryManager.CreateFromConnectionString(ConnectionString,
            new ServiceClientOptions { HttpMessageHandler = new SilentHandler(), Timeout = TimeSpan.FromMilliseconds(50) });
        var ex = await Assert.ThrowsAsync<IotHubCommunicationException>(() => registry.GetTwinAsync("d1"));
        Assert.Contains("No answer from localhost:8443", ex.Message);
        Assert.Contains("Timeout", ex.Message);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task The_callers_cancellation_is_reported_as_cancellation()
    {
        using var registry = RegistryManager.CreateFromConnectionString(ConnectionString,
            new ServiceClientOptions { HttpMessageHandler = new SilentHandler() });
        using var cts = new CancellationTokenSource();
        var call = registry.GetTwinAsync("d1", cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Theory]
    [InlineData(1, 1000, 500, 1000)]
    [InlineData(2, 2000, 1000, 2000)]
    [InlineData(3, 4000, 2000, 4000)]
    [InlineData(10, 30000, 15000, 30000)]
    public void Backoff_doubles_is_capped_and_jittered_into_the_upper_half(int retry, int nominalMs, int lowMs, int highMs)
    {
        var policy = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(30) };
        Assert.Equal(TimeSpan.FromMilliseconds(lowMs), policy.GetDelay(retry, null, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(highMs), policy.GetDelay(retry, null, 1));
        var mid = policy.GetDelay(retry, null, 0.5);
        Assert.InRange(mid.TotalMilliseconds, lowMs, nominalMs);
    }

    [Fact]
    public void Retry_after_is_honoured_but_capped()
    {
        var policy = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(30) };
        Assert.Equal(TimeSpan.FromSeconds(7), policy.GetDelay(1, TimeSpan.FromSeconds(7), 0));
        Assert.Equal(TimeSpan.FromSeconds(30), policy.GetDelay(1, TimeSpan.FromMinutes(5), 0));
        Assert.Equal(TimeSpan.FromSeconds(1), policy.GetDelay(1, TimeSpan.FromMilliseconds(10), 1));
    }
}
