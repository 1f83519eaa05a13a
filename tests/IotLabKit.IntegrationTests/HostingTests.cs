using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using IotLabKit.Protocol;
using IotLabKit.Testing;

namespace IotLabKit.IntegrationTests;

/// <summary>Start-up, status reporting, logging and shutdown of the emulator process; each test has its own.</summary>
public sealed class HostingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_status_file_and_line_describe_a_working_hub()
    {
        await using var emulator = await EmulatorProcess.StartAsync();
        var status = emulator.Status;
        Assert.Equal(emulator.ProcessId, status.Pid);
        Assert.Equal("iotlabkit", status.HubName);
        Assert.Equal("localhost", status.HostName);
        Assert.Equal("sqlite", status.Storage);
        Assert.Equal(emulator.DataDir, status.DataDir);
        Assert.True(File.Exists(status.CaCertificatePath));
        Assert.Equal(["device", "iothubowner", "registryRead", "registryReadWrite", "service"], status.Policies.Keys.Order());

        var cs = IotHubConnectionString.Parse(status.ServiceConnectionString);
        Assert.Equal($"localhost:{status.HttpsPort}", cs.HostName);
        Assert.Equal("iothubowner", cs.SharedAccessKeyName);
        Assert.True(cs.UseDevelopmentEmulator);

        // The connection string is enough to make a working token.
        using var http = emulator.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/statistics/devices?api-version=2021-04-12");
        request.Headers.TryAddWithoutValidation("Authorization",
            SharedAccessSignature.Create(cs.HostName, cs.SharedAccessKey!, cs.SharedAccessKeyName, DateTimeOffset.UtcNow.AddMinutes(5)));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var line = emulator.StandardOutput.Split('\n').Single(l => l.StartsWith("IOTLABKIT-STATUS ", StringComparison.Ordinal));
        var printed = JsonNode.Parse(line["IOTLABKIT-STATUS ".Length..])!.AsObject();
        Assert.Equal(status.ServiceConnectionString, (string?)printed["serviceConnectionString"]);
        Assert.Contains($"listening on https://localhost:{status.HttpsPort}", emulator.StandardOutput);
    }

    [Fact]
    public async Task Sigterm_stops_it_cleanly_and_default_logging_is_quiet()
    {
        await using var emulator = await EmulatorProcess.StartAsync();
        using (var http = emulator.CreateHttpClient())
        using (var health = await http.GetAsync("/health"))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await emulator.StopAsync();
        if (!OperatingSystem.IsWindows()) Assert.Equal(0, emulator.ExitCode);
        Assert.DoesNotContain("info:", emulator.StandardError);
        Assert.DoesNotContain("dbug:", emulator.StandardError);
    }

    [Fact]
    public async Task Verbose_logs_each_request()
    {
        await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { Verbose = true });
        using var http = emulator.CreateHttpClient();
        using var response = await http.GetAsync("/health?probe=verbose");
        await emulator.WaitForOutputLineAsync(l => l.Contains("GET /health?probe=verbose -> 200", StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task It_exits_when_its_parent_process_exits()
    {
        await using var parent = await EmulatorProcess.StartAsync(new EmulatorOptions { InMemory = true });
        await using var child = await EmulatorProcess.StartAsync(new EmulatorOptions
        {
            InMemory = true,
            ExtraArguments = ["--parent-pid", parent.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)],
        });
        Assert.True(child.IsRunning);
        var parentPid = parent.ProcessId;
        await parent.KillAsync();
        Assert.True(await child.WaitForExitAsync(Wait), "the emulator should stop once its parent is gone");
        Assert.Contains($"Parent process {parentPid} exited", child.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_port_fails_fast_with_the_reason()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => EmulatorProcess.StartAsync(new EmulatorOptions { HttpsPort = port }));
        Assert.Contains($"Cannot listen on port {port}", ex.Message);
    }

    [Fact]
    public async Task A_custom_host_name_is_in_the_certificate_the_status_and_accepted_in_tokens()
    {
        await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { HostName = "hub.iotlabkit.test", HubName = "lab-hub" });
        Assert.Equal("hub.iotlabkit.test", emulator.Status.HostName);
        Assert.Equal("lab-hub", emulator.Status.HubName);
        Assert.StartsWith($"HostName=hub.iotlabkit.test:{emulator.Status.HttpsPort};", emulator.Status.ServiceConnectionString);

        // TLS with SNI and name validation for the custom name, over loopback.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, emulator.Status.HttpsPort);
        await using var tls = new SslStream(tcp.GetStream(), false, EmulatorTrust.CreateValidator(emulator.Status.CaCertificatePath));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "hub.iotlabkit.test" });
        Assert.True(tls.IsAuthenticated);

        using var http = emulator.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/statistics/devices?api-version=2021-04-12");
        request.Headers.TryAddWithoutValidation("Authorization", emulator.CreateServiceToken());
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Two_in_memory_emulators_starting_together_on_a_fresh_data_dir_share_one_ca_and_one_set_of_keys()
    {
        var dir = Path.Combine(Path.GetTempPath(), "iotlabkit-shared-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var options = new EmulatorOptions { DataDir = dir, InMemory = true };
            var starts = await Task.WhenAll(EmulatorProcess.StartAsync(options), EmulatorProcess.StartAsync(options));
            await using var a = starts[0];
            await using var b = starts[1];
            Assert.Equal(a.Status.Policies, b.Status.Policies);
            foreach (var emulator in starts)
            {
                // Each server certificate must chain to the one ca.pem on disk.
                using var http = emulator.CreateHttpClient();
                using var health = await http.GetAsync("/health");
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            }
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
