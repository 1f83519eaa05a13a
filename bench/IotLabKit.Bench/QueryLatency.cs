using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Testing;

namespace IotLabKit.Bench;

/// <summary>
/// <c>POST /devices/query</c> over many twins (100,000 by default): the emulator is seeded through the bulk registry
/// API (<c>POST /devices</c>, 100 devices with tags and reported properties per request), then each query is
/// timed end to end over HTTPS keep-alive, every page fetched. Also the emulator's resident memory empty, with the
/// twins, and after the first query (each twin's query document is built when the twin is written, so a query should
/// add nothing).
/// </summary>
internal static class QueryLatency
{
    public sealed record Seeding(int Twins, TimeSpan Elapsed, long RssEmptyBytes, long RssSeededBytes, long RssQueriedBytes);

    public sealed record Result(string Name, string Query, int Rows, int Pages, double FirstMs, double[] RunsMs, double[] CpuMs)
    {
        public double Median => RunsMs.Length == 0 ? double.NaN : RunsMs[RunsMs.Length / 2];

        /// <summary>The emulator's own CPU time per run (median): what the query costs it, less the waiting a busy machine adds.</summary>
        public double CpuMedian => CpuMs.Length == 0 ? double.NaN : CpuMs[CpuMs.Length / 2];
    }

    /// <summary>The queries timed: the course's two filters, a GROUP BY, a count, and paging through everything.</summary>
    public static IReadOnlyList<(string Name, string Query, int PageSize)> Queries { get; } =
    [
        ("tag filter", "SELECT * FROM devices WHERE tags.cheeseCave = 'CheeseCave1'", 100),
        ("reported-property filter", "SELECT deviceId FROM devices WHERE properties.reported.firmware.currentFwVersion = '1.0.1'", 1000),
        ("GROUP BY", "SELECT properties.reported.firmware.currentFwVersion AS fw, COUNT() AS n FROM devices GROUP BY properties.reported.firmware.currentFwVersion", 100),
        ("COUNT with tag filter", "SELECT COUNT() AS n FROM devices WHERE tags.building = 'B3' AND tags.floor >= 5", 100),
        ("all twins, 1000 per page", "SELECT * FROM devices", 1000),
    ];

    public static async Task<(Seeding Seeding, IReadOnlyList<Result> Results)> MeasureAsync(string storage, int twins, int runs, TimeSpan limit)
    {
        await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { InMemory = storage == "memory", StartTimeout = limit });
        using var http = emulator.CreateHttpClient();
        http.Timeout = limit;
        var token = emulator.CreateServiceToken(lifetime: TimeSpan.FromHours(4));

        var rssEmpty = Rss(emulator.ProcessId);
        var seedTime = Stopwatch.StartNew();
        await SeedAsync(http, token, twins, limit);
        seedTime.Stop();
        var rssSeeded = Rss(emulator.ProcessId);

        var results = new List<Result>();
        long rssQueried = 0;
        foreach (var (name, query, pageSize) in Queries)
        {
            var first = await RunAsync(http, token, query, pageSize);
            if (rssQueried == 0) rssQueried = Rss(emulator.ProcessId);
            var times = new double[runs];
            var cpu = new double[runs];
            for (var i = 0; i < runs; i++)
            {
                var cpuBefore = Cpu(emulator.ProcessId);
                times[i] = (await RunAsync(http, token, query, pageSize)).Ms;
                cpu[i] = (Cpu(emulator.ProcessId) - cpuBefore).TotalMilliseconds;
            }
            Array.Sort(times);
            Array.Sort(cpu);
            results.Add(new Result(name, query, first.Rows, first.Pages, first.Ms, times, cpu));
        }
        await emulator.StopAsync();
        return (new Seeding(twins, seedTime.Elapsed, rssEmpty, rssSeeded, rssQueried), results);
    }

    /// <summary>Creates the twins: 4 concurrent streams of bulk requests, 100 devices each.</summary>
    private static async Task SeedAsync(HttpClient http, string token, int twins, TimeSpan limit)
    {
        using var cancel = new CancellationTokenSource(limit);
        var next = -1;
        var batches = (twins + 99) / 100;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (true)
            {
                var batch = Interlocked.Increment(ref next);
                if (batch >= batches) return;
                var items = new JsonArray();
                for (var i = batch * 100; i < Math.Min(twins, (batch + 1) * 100); i++) items.Add(Device(i));
                using var request = new HttpRequestMessage(HttpMethod.Post, "/devices?api-version=2021-04-12")
                {
                    Content = new StringContent(items.ToJsonString(), Encoding.UTF8, "application/json"),
                };
                request.Headers.TryAddWithoutValidation("Authorization", token);
                using var response = await http.SendAsync(request, cancel.Token);
                if (!response.IsSuccessStatusCode)
                    throw new InvalidOperationException($"Seeding failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancel.Token)}");
            }
        }));
    }

    // 1 twin in 2,000 is in CheeseCave1 (50 per 100,000), 1 in 100 runs firmware 1.0.1: the filters scan every
    // twin and return a page or so, which is what "latency over 100,000 twins" should measure.
    private static JsonObject Device(int i) => new()
    {
        ["id"] = $"bench-{i:D6}",
        ["importMode"] = "create",
        ["status"] = "enabled",
        ["tags"] = new JsonObject
        {
            ["cheeseCave"] = $"CheeseCave{(i % 2000 == 0 ? 1 : 2 + i % 7)}",
            ["building"] = $"B{i % 10}",
            ["floor"] = i % 12,
            ["owner"] = new JsonObject { ["team"] = $"team-{i % 25}" },
        },
        ["properties"] = new JsonObject
        {
            ["desired"] = new JsonObject { ["telemetryInterval"] = 30 },
            ["reported"] = new JsonObject
            {
                ["firmware"] = new JsonObject { ["currentFwVersion"] = i % 100 == 0 ? "1.0.1" : $"1.0.{2 + i % 4}", ["status"] = "current" },
                ["temperature"] = 15.5 + i % 20,
            },
        },
    };

    private static async Task<(int Rows, int Pages, double Ms)> RunAsync(HttpClient http, string token, string query, int pageSize)
    {
        var body = new JsonObject { ["query"] = query }.ToJsonString();
        int rows = 0, pages = 0;
        string? continuation = null;
        var start = Stopwatch.GetTimestamp();
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/devices/query?api-version=2021-04-12")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("Authorization", token);
            request.Headers.TryAddWithoutValidation("x-ms-max-item-count", pageSize.ToString(CultureInfo.InvariantCulture));
            if (continuation is not null) request.Headers.TryAddWithoutValidation("x-ms-continuation", continuation);
            using var response = await http.SendAsync(request);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{query}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
            using (var page = JsonDocument.Parse(bytes)) rows += page.RootElement.GetArrayLength();
            pages++;
            continuation = response.Headers.TryGetValues("x-ms-continuation", out var values) ? values.Single() : null;
        }
        while (continuation is not null);
        return (rows, pages, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    private static TimeSpan Cpu(int pid)
    {
        using var process = Process.GetProcessById(pid);
        return process.TotalProcessorTime;
    }

    private static long Rss(int pid)
    {
        using var process = Process.GetProcessById(pid);
        process.Refresh();
        return process.WorkingSet64;
    }
}
