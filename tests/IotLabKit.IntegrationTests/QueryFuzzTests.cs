using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace IotLabKit.IntegrationTests;

/// <summary>
/// Fuzzing <c>POST /devices/query</c> over real HTTPS: random and malformed queries, huge and deeply nested input,
/// garbage continuation tokens, bad page sizes and malformed bodies, from several clients at once. Every answer
/// must be a 200 with a JSON array or a 400 in IoT Hub's envelope — never a 500 — and the emulator must still be
/// healthy at the end. Seeded (override with IOTLABKIT_FUZZ_SEED to replay a failure) and bounded.
/// </summary>
public sealed class QueryFuzzTests(EmulatorFixture hub) : IClassFixture<EmulatorFixture>
{
    private const int DefaultSeed = 4_220_604;
    private const int RequestsPerWorker = 150;
    private const int Workers = 4;

    private static readonly string[] ValidQueries =
    [
        "SELECT * FROM devices",
        "SELECT * FROM devices WHERE tags.cheeseCave = 'CheeseCave1'",
        "SELECT deviceId FROM devices WHERE properties.reported.firmware.currentFwVersion='1.0.1'",
        "SELECT deviceId FROM devices WHERE configurations.[[firmwareupdate]].status='Applied'",
        "SELECT TOP 3 deviceId, tags.floor AS f FROM devices WHERE tags.floor >= 1 AND NOT IS_DEFINED(tags.none)",
        "SELECT COUNT() AS n, AVG(properties.reported.temp) AS t FROM devices",
        "SELECT tags.floor, COUNT() AS n FROM devices GROUP BY tags.floor",
        "SELECT * FROM devices WHERE deviceId IN ['fz-001', 'fz-002'] OR tags.floor NIN [1, 2]",
        "SELECT * FROM devices WHERE STARTSWITH(deviceId, 'fz') AND properties.reported.temp * 2 + 1 > 30",
        "SELECT * FROM devices WHERE properties.desired.$metadata.$lastUpdated > '2020-01-01' AND properties.reported.$version >= 1",
        "SELECT * FROM devices.modules WHERE devices.moduleId = 'm'",
        "SELECT * FROM devices.jobs WHERE devices.jobs.status = 'completed'",
        "select deviceid, lower(tags.name) from devices where is_string(tags.name) and length(tags.name) > 2",
        "SELECT MIN(tags.floor) AS lo, MAX(tags.floor) AS hi, SUM(tags.floor) FROM devices WHERE tags.list != null",
    ];

    private static readonly string[] Vocabulary =
    [
        "SELECT", "TOP", "5", "*", "FROM", "devices", "devices.modules", "devices.jobs", "WHERE", "GROUP", "BY", "ORDER",
        "AND", "OR", "NOT", "IN", "NIN", "AS", "=", "!=", "<>", "<", ">", "<=", ">=", "+", "-", "/", "%", "(", ")", "[", "]",
        "[[", "]]", ",", ".", "'text'", "\"text\"", "'", "\"", "\\", "1", "-0", "1.5e308", "1e999", "0x7FFFFFFFFFFFFFFF", "0x",
        "true", "false", "null", "undefined", "IS_DEFINED(", "STARTSWITH(", "STARTS_WITH(", "SUBSTRING(", "COUNT()", "COUNT(*)",
        "AVG(", "SUM(", "MIN(", "MAX(", "deviceId", "tags", "tags.floor", "properties.reported.temp", "$metadata", "$version",
        "configurations.[[x]].status", "[[group]]", "group", "\u00e9", "\u0000", "\ud800", "\t", "\n", "--", "/*", "'\\u12'",
    ];

    [Fact]
    public async Task Random_and_malformed_queries_never_produce_a_500_or_crash_the_emulator()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("IOTLABKIT_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;
        await SeedTwinsAsync();
        var tokens = await RealTokensAsync();

        // Every known-good query must really work, or the fuzzing below would only ever exercise error paths.
        foreach (var query in ValidQueries)
        {
            using var response = await SendAsync(Body(query), pageSize: "3", continuation: null);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var failures = new List<string>();
        var outcomes = new int[2];
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(seed + worker);
            for (var i = 0; i < RequestsPerWorker; i++)
            {
                var (kind, body, pageSize, continuation) = NextCase(random, tokens);
                using var response = await SendAsync(body, pageSize, continuation);
                var problem = await CheckAsync(response);
                lock (failures)
                {
                    outcomes[response.StatusCode == HttpStatusCode.OK ? 0 : 1]++;
                    if (problem is not null && failures.Count < 10)
                        failures.Add($"seed {seed + worker} request {i} ({kind}): {problem}\n  body: {Shorten(body)}\n  page size: {pageSize}\n  continuation: {Shorten(continuation)}");
                }
            }
        })));

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(outcomes[0] > 0 && outcomes[1] > 0, $"expected both accepted and refused requests, got {outcomes[0]} / {outcomes[1]}");
        Assert.True(hub.Emulator.IsRunning);
        using (var health = await hub.Http.GetAsync("/health"))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.DoesNotContain("Unexpected error", hub.Emulator.StandardError);
        using var after = await SendAsync(Body("SELECT COUNT() AS n FROM devices"), null, null);
        Assert.Equal("""[{"n":40}]""", await after.Content.ReadAsStringAsync());
    }

    private async Task SeedTwinsAsync()
    {
        var items = new JsonArray(Enumerable.Range(0, 40).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = $"fz-{i:D3}",
            ["importMode"] = "create",
            ["tags"] = new JsonObject
            {
                ["floor"] = i % 4,
                ["name"] = i % 3 == 0 ? "room" + i : null,
                ["cheeseCave"] = i % 2 == 0 ? "CheeseCave1" : "CheeseCave2",
                ["list"] = new JsonArray(1, "two", null),
                ["deep"] = new JsonObject { ["a"] = new JsonObject { ["b"] = i } },
            },
            ["properties"] = new JsonObject
            {
                ["desired"] = new JsonObject { ["speed"] = i },
                ["reported"] = new JsonObject
                {
                    ["temp"] = i % 5 == 0 ? JsonValue.Create("hot") : JsonValue.Create(10.5 + i),
                    ["firmware"] = new JsonObject { ["currentFwVersion"] = i % 2 == 0 ? "1.0.1" : "1.0.0" },
                },
            },
        }).ToArray());
        using var response = await hub.SendAsync(HttpMethod.Post, "/devices", items.ToJsonString());
        await EmulatorFixture.ReadOkAsync(response);
    }

    /// <summary>Real continuation tokens (row and aggregate kinds), to be mutated and misused.</summary>
    private async Task<List<string>> RealTokensAsync()
    {
        var tokens = new List<string>();
        foreach (var query in new[] { ValidQueries[0], ValidQueries[6] })
        {
            using var response = await SendAsync(Body(query), pageSize: "1", continuation: null);
            tokens.Add(Assert.Single(response.Headers.GetValues("x-ms-continuation")));
        }
        return tokens;
    }

    private static (string Kind, string Body, string? PageSize, string? Continuation) NextCase(Random random, List<string> tokens)
    {
        switch (random.Next(8))
        {
            case 0: return ("token soup", Body(TokenSoup(random)), null, null);
            case 1:
            case 2: return ("mutated query", Body(Mutate(random, Pick(random, ValidQueries))), MaybePageSize(random), null);
            case 3: return ("huge or nested", Body(Huge(random)), null, null);
            case 4: return ("garbage continuation", Body(Pick(random, ValidQueries)), null, GarbageToken(random, tokens));
            case 5: return ("bad page size", Body(Pick(random, ValidQueries)), BadPageSize(random), null);
            case 6: return ("malformed body", MalformedBody(random), null, null);
            default: return ("valid query", Body(Pick(random, ValidQueries)), MaybePageSize(random), random.Next(3) == 0 ? Pick(random, tokens) : null);
        }
    }

    private static string TokenSoup(Random random)
    {
        var text = new StringBuilder();
        var count = random.Next(1, 30);
        for (var i = 0; i < count; i++) text.Append(Pick(random, Vocabulary)).Append(random.Next(4) == 0 ? "" : " ");
        return text.ToString();
    }

    private static string Mutate(Random random, string query)
    {
        var text = new StringBuilder(query);
        var mutations = random.Next(1, 4);
        for (var m = 0; m < mutations && text.Length > 0; m++)
        {
            var at = random.Next(text.Length);
            switch (random.Next(5))
            {
                case 0: text.Remove(at, Math.Min(random.Next(1, 6), text.Length - at)); break;
                case 1: text.Insert(at, (char)random.Next(0, 0x3000)); break;
                case 2: text.Insert(at, Pick(random, Vocabulary)); break;
                case 3: text.Insert(at, text.ToString(at, Math.Min(random.Next(1, 10), text.Length - at))); break;
                default: text[at] = Pick(random, "'\"[](),.=<>\\$*".ToCharArray()); break;
            }
        }
        return text.ToString();
    }

    private static string Huge(Random random)
    {
        var depth = random.Next(50, 5000);
        return random.Next(7) switch
        {
            0 => "SELECT * FROM devices WHERE " + new string('(', depth) + "tags.floor = 1" + new string(')', depth),
            1 => "SELECT * FROM devices WHERE " + string.Join(" AND ", Enumerable.Repeat("tags.floor >= 0", random.Next(100, 1200))),
            2 => "SELECT * FROM devices WHERE tags.x IN " + new string('[', depth) + "1" + new string(']', depth),
            3 => "SELECT * FROM devices WHERE " + string.Concat(Enumerable.Repeat("NOT ", depth)) + "true",
            4 => "SELECT * FROM devices WHERE tags.x = '" + new string('x', random.Next(8000, 200_000)) + "'",
            5 => "SELECT * FROM devices WHERE " + string.Concat(Enumerable.Repeat("ABS(", depth)) + "1" + new string(')', depth) + " = 1",
            _ => "SELECT " + string.Join(", ", Enumerable.Range(0, random.Next(10, 2000)).Select(i => $"tags.floor AS a{i}")) + " FROM devices",
        };
    }

    private static string GarbageToken(Random random, List<string> tokens)
    {
        switch (random.Next(6))
        {
            case 0:
                var bytes = new byte[random.Next(1, 200)];
                random.NextBytes(bytes);
                return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            case 1:
                var json = Pick(random, new[]
                {
                    """{"v":1}""", """{"v":2,"q":"x","n":0}""", """{"v":1,"q":"0","k":"a","c":"b","n":0}""", """{"v":1,"q":"0","n":-1}""",
                    """[]""", """null""", """{"v":1,"q":"0","k":"a","n":1e400}""", """{"v":1,"q":"\ud800","n":0}""", """{"v":1,"q":1,"n":0}""",
                });
                return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            case 2:
                var token = new StringBuilder(Pick(random, tokens));
                token[random.Next(token.Length)] = Pick(random, "AZaz09-_=!%".ToCharArray());
                return token.ToString();
            case 3: return new string('A', random.Next(4000, 20_000));
            case 4: return Pick(random, new[] { " ", "null", "%00", "%C3%A9t%C3%A9", "0", "-", "====" });
            default: return Pick(random, tokens);
        }
    }

    private static string BadPageSize(Random random) => Pick(random, new[]
    {
        "0", "-1", "-2147483649", "2147483648", "99999999999999999999999", "1e3", "0x10", " ", "abc", "1,2", "1\t2", "+5", "  7  ", "5.0",
    });

    private static string? MaybePageSize(Random random)
        => random.Next(3) == 0 ? null : random.Next(1, 2000).ToString(CultureInfo.InvariantCulture);

    private static string MalformedBody(Random random) => random.Next(8) switch
    {
        0 => "",
        1 => "[]",
        2 => "null",
        3 => """{"query":["SELECT * FROM devices"]}""",
        4 => """{"query":null}""",
        5 => new string('[', random.Next(10, 10_000)),
        6 => """{"query":"SELECT * FROM devices","query":"SELECT 1"}""",
        _ => """{"query":"SELECT * FROM devices""",
    };

    /// <summary>The body, escaped by hand so that anything — control characters, lone surrogates — reaches the emulator.</summary>
    private static string Body(string query)
    {
        var json = new StringBuilder("{\"query\":\"", query.Length + 16);
        foreach (var c in query)
        {
            if (c is '"' or '\\') json.Append('\\').Append(c);
            else if (c < 0x20 || c > 0x7E) json.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else json.Append(c);
        }
        return json.Append("\"}").ToString();
    }

    private async Task<HttpResponseMessage> SendAsync(string body, string? pageSize, string? continuation)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/devices/query?api-version=2021-04-12")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", hub.Emulator.CreateServiceToken());
        if (pageSize is not null) request.Headers.TryAddWithoutValidation("x-ms-max-item-count", pageSize);
        if (continuation is not null) request.Headers.TryAddWithoutValidation("x-ms-continuation", continuation);
        return await hub.Http.SendAsync(request);
    }

    /// <summary>Null when the answer is acceptable, else what is wrong with it.</summary>
    private static async Task<string?> CheckAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        if (status == 200)
        {
            if (JsonNode.Parse(text) is not JsonArray) return "200 without a JSON array body";
            if (!response.Headers.TryGetValues("x-ms-item-type", out var types) || types.Single() is not ("Twin" or "DeviceJob" or "Raw"))
                return "200 without a valid x-ms-item-type";
            if (response.Headers.TryGetValues("x-ms-continuation", out var tokens) && string.IsNullOrEmpty(tokens.Single()))
                return "an empty x-ms-continuation header";
            return null;
        }
        if (status != 400) return $"status {status}: {Shorten(text)}";
        if (!response.Headers.TryGetValues("iothub-errorcode", out var codes)) return "400 without iothub-errorcode";
        var message = (string?)JsonNode.Parse(text)?["Message"];
        if (message is null || !message.StartsWith($"ErrorCode:{codes.Single()};", StringComparison.Ordinal)) return $"400 outside the envelope: {Shorten(text)}";
        if (text.Contains("   at ", StringComparison.Ordinal)) return "a stack trace in the answer";
        return null;
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string Shorten(string? text) => text is null ? "(none)" : text.Length <= 300 ? text : text[..300] + $"… ({text.Length} chars)";
}
