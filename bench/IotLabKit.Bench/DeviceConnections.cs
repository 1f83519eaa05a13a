using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using IotLabKit.Protocol;
using IotLabKit.Testing;

namespace IotLabKit.Bench;

/// <summary>What holding many connections cost.</summary>
internal sealed record ConnectionsResult(int Target, int Connected, int Refused, int Failed, TimeSpan ConnectTime, long ConnectedDeviceCount,
    long WorkingSetBefore, long WorkingSetAfter, long PrivateBefore, long PrivateAfter);

/// <summary>
/// How many device connections the emulator holds: <c>target</c> devices (seeded into the store) each open a
/// TLS connection to the MQTT port and send a CONNECT with a device SAS token (CleanSession=0, keep-alive 1000 s),
/// and stay connected, idle. The devices here are a minimal hand-written MQTT client (a socket, TLS and one packet
/// each way) so the bench process does not dominate the machine. Reports connects per second, the service's
/// <c>connectedDeviceCount</c>, and the emulator's working set and private memory before and after.
/// </summary>
internal static class DeviceConnections
{
    public static async Task<ConnectionsResult> MeasureAsync(int target, int parallel, TimeSpan limit)
    {
        var dataDir = DeviceSeed.NewDataDir("connections");
        var keys = DeviceSeed.Create(dataDir, target, "conn");
        await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { DataDir = dataDir, StartTimeout = limit });
        using var process = Process.GetProcessById(emulator.ProcessId);
        var host = emulator.HostNameWithPort;
        var roots = EmulatorTrust.LoadCa(emulator.Status.CaCertificatePath);
        process.Refresh();
        var (wsBefore, privateBefore) = (process.WorkingSet64, process.PrivateMemorySize64);

        var open = new List<(TcpClient Tcp, SslStream Tls)>(target);
        int refused = 0, failed = 0;
        var clock = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(limit);
        using (var gate = new SemaphoreSlim(parallel))
        {
            await Task.WhenAll(keys.Select(async pair =>
            {
                await gate.WaitAsync(cts.Token);
                TcpClient? tcp = null;
                SslStream? tls = null;
                try
                {
                    tcp = new TcpClient { NoDelay = true };
                    await tcp.ConnectAsync("127.0.0.1", emulator.Status.MqttPort, cts.Token);
                    tls = new SslStream(tcp.GetStream(), false, (_, cert, _, errors) => EmulatorTrust.Validate(cert, errors, roots));
                    await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cts.Token);
                    var password = SharedAccessSignature.Create($"{host}/devices/{pair.Key}", pair.Value, null, DateTimeOffset.UtcNow.AddHours(2));
                    await tls.WriteAsync(Connect(pair.Key, $"{host}/{pair.Key}/?api-version=2021-04-12&DeviceClientType=iotlabkit-bench", password), cts.Token);
                    var connack = new byte[4];
                    await tls.ReadExactlyAsync(connack, cts.Token);
                    if (connack[0] == 0x20 && connack[3] == 0)
                    {
                        lock (open) open.Add((tcp, tls));
                        tcp = null;
                        tls = null;
                    }
                    else Interlocked.Increment(ref refused);
                }
                catch (Exception) when (!cts.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                }
                finally
                {
                    tls?.Dispose();
                    tcp?.Dispose();
                    gate.Release();
                }
            }));
        }
        var connectTime = clock.Elapsed;
        var connectedCount = await ConnectedDeviceCountAsync(emulator);
        // The process's own numbers settle once the last handshakes' buffers are returned.
        GC.Collect();
        process.Refresh();
        var result = new ConnectionsResult(target, open.Count, refused, failed, connectTime, connectedCount,
            wsBefore, process.WorkingSet64, privateBefore, process.PrivateMemorySize64);
        foreach (var (tcp, tls) in open)
        {
            tls.Dispose();
            tcp.Dispose();
        }
        return result;
    }

    private static async Task<long> ConnectedDeviceCountAsync(EmulatorProcess emulator)
    {
        using var http = emulator.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/statistics/service?api-version=2021-04-12");
        request.Headers.TryAddWithoutValidation("Authorization", emulator.CreateServiceToken());
        using var response = await http.SendAsync(request);
        var json = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (long)json["connectedDeviceCount"]!;
    }

    /// <summary>An MQTT 3.1.1 CONNECT: user name and password, CleanSession=0, keep-alive 1000 s.</summary>
    internal static byte[] Connect(string clientId, string userName, string password)
    {
        var body = new List<byte>();
        void Str(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            Span<byte> len = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(len, (ushort)bytes.Length);
            body.AddRange(len.ToArray());
            body.AddRange(bytes);
        }
        Str("MQTT");
        body.Add(4);            // protocol level 3.1.1
        body.Add(0b1100_0000);  // user name + password, CleanSession = 0
        body.Add(1000 >> 8);
        body.Add(1000 & 0xFF);
        Str(clientId);
        Str(userName);
        Str(password);
        var packet = new List<byte> { 0x10 };
        var remaining = body.Count;
        do
        {
            var b = (byte)(remaining % 128);
            remaining /= 128;
            if (remaining > 0) b |= 0x80;
            packet.Add(b);
        } while (remaining > 0);
        packet.AddRange(body);
        return [.. packet];
    }
}
