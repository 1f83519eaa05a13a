using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using IotLabKit.Protocol;
using IotLabKit.Testing;

namespace IotLabKit.Bench;

/// <summary>
/// Emulator cold start: from launching the process to the first <c>GET /health</c> answered 200. The port is fixed
/// up front so /health can be polled from the moment the process starts, not only once it announces itself.
/// </summary>
internal static class ColdStart
{
    public sealed record Result(string Storage, TimeSpan FirstStart, IReadOnlyList<TimeSpan> Restarts);

    public static async Task<Result> MeasureAsync(string storage, int restarts, TimeSpan limit)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "iotlabkit-bench-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            // A fresh data directory: this start also creates the CA, server certificate and keys.
            var first = await TimeOneStartAsync(storage, dataDir, limit);
            var again = new List<TimeSpan>();
            for (var i = 0; i < restarts; i++) again.Add(await TimeOneStartAsync(storage, dataDir, limit));
            return new Result(storage, first, again);
        }
        finally
        {
            try { Directory.Delete(dataDir, recursive: true); }
            catch (IOException) { }
        }
    }

    private static async Task<TimeSpan> TimeOneStartAsync(string storage, string dataDir, TimeSpan limit)
    {
        var port = FreePort();
        using var cts = new CancellationTokenSource(limit);
        var caPath = Path.Combine(dataDir, "certs", "ca.pem");
        X509Certificate2Collection? roots = null;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            // The first start creates the CA, so it is loaded on the first handshake: by then the server listens
            // with a certificate issued by it.
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, errors) => EmulatorTrust.Validate(cert, errors, roots ??= EmulatorTrust.LoadCa(caPath)) },
            ConnectTimeout = TimeSpan.FromSeconds(1),
        }) { Timeout = TimeSpan.FromSeconds(5) };
        var health = new Uri($"https://localhost:{port}/health");

        var clock = Stopwatch.StartNew();
        var starting = EmulatorProcess.StartAsync(Options(storage, dataDir, port, limit), cts.Token);
        TimeSpan elapsed;
        while (true)
        {
            if (starting.IsFaulted) await starting; // surfaces the emulator's own error
            try
            {
                using var response = await http.GetAsync(health, cts.Token);
                if (response.StatusCode == HttpStatusCode.OK) { elapsed = clock.Elapsed; break; }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            // Polling is the measurement here: 5 ms resolution, without spinning a core the emulator needs to start.
            await Task.Delay(TimeSpan.FromMilliseconds(5), cts.Token);
        }
        await using var emulator = await starting;
        await emulator.StopAsync();
        return elapsed;
    }

    internal static EmulatorOptions Options(string storage, string? dataDir, int port, TimeSpan limit) => new()
    {
        DataDir = dataDir,
        InMemory = storage == "memory",
        HttpsPort = port,
        StartTimeout = limit,
    };

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
