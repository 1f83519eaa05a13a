using System.Net;
using IotLabKit.Testing;

namespace IotLabKit.IntegrationTests;

/// <summary>Each test starts (and restarts) emulators of its own.</summary>
public sealed class PersistenceTests
{
    private static async Task<HttpResponseMessage> SendAsync(EmulatorProcess emulator, HttpClient http, HttpMethod method, string path, string? body = null)
    {
        var request = new HttpRequestMessage(method, path + "?api-version=2021-04-12");
        request.Headers.TryAddWithoutValidation("Authorization", emulator.CreateServiceToken());
        if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        return await http.SendAsync(request);
    }

    [Fact]
    public async Task A_patch_acknowledged_with_200_survives_kill_9()
    {
        await using var emulator = await EmulatorProcess.StartAsync();
        var id = EmulatorFixture.NewId("kill");
        using (var http = emulator.CreateHttpClient())
        {
            using var create = await SendAsync(emulator, http, HttpMethod.Put, $"/devices/{id}", "{}");
            Assert.Equal(HttpStatusCode.OK, create.StatusCode);
            using var patch = await SendAsync(emulator, http, HttpMethod.Patch, $"/twins/{id}", """{"properties":{"desired":{"survives":"kill -9"}}}""");
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }
        var pid = emulator.ProcessId;
        await emulator.KillAsync();
        Assert.NotEqual(0, emulator.ExitCode);

        await emulator.RestartAsync();
        Assert.NotEqual(pid, emulator.ProcessId);
        using var after = emulator.CreateHttpClient();
        using var get = await SendAsync(emulator, after, HttpMethod.Get, $"/twins/{id}");
        var twin = await EmulatorFixture.ReadOkAsync(get);
        Assert.Equal("kill -9", (string?)twin["properties"]!["desired"]!["survives"]);
        Assert.Equal(2, (long)twin["properties"]!["desired"]!["$version"]!);
    }

    [Fact]
    public async Task Devices_keys_and_certificates_survive_a_normal_restart()
    {
        await using var emulator = await EmulatorProcess.StartAsync();
        var id = EmulatorFixture.NewId("restart");
        string deviceJson;
        using (var http = emulator.CreateHttpClient())
        {
            using var create = await SendAsync(emulator, http, HttpMethod.Put, $"/devices/{id}", """{"status":"disabled"}""");
            deviceJson = (await EmulatorFixture.ReadOkAsync(create)).ToJsonString();
        }
        var keys = emulator.Status.Policies;
        var ca = await File.ReadAllTextAsync(emulator.Status.CaCertificatePath);

        await emulator.RestartAsync();
        Assert.Equal(0, emulator.ExitCode ?? 0);
        Assert.Equal(keys, emulator.Status.Policies);
        Assert.Equal(ca, await File.ReadAllTextAsync(emulator.Status.CaCertificatePath));
        Assert.Equal("sqlite", emulator.Status.Storage);
        using var after = emulator.CreateHttpClient();
        using var get = await SendAsync(emulator, after, HttpMethod.Get, $"/devices/{id}");
        Assert.Equal(deviceJson, (await EmulatorFixture.ReadOkAsync(get)).ToJsonString());
    }

    [Fact]
    public async Task In_memory_really_starts_empty_after_a_restart_but_keeps_its_keys()
    {
        await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { InMemory = true });
        Assert.Equal("memory", emulator.Status.Storage);
        var id = EmulatorFixture.NewId("mem");
        using (var http = emulator.CreateHttpClient())
        {
            using var create = await SendAsync(emulator, http, HttpMethod.Put, $"/devices/{id}", "{}");
            Assert.Equal(HttpStatusCode.OK, create.StatusCode);
        }
        var keys = emulator.Status.Policies;
        await emulator.RestartAsync();
        Assert.Equal(keys, emulator.Status.Policies);
        using var after = emulator.CreateHttpClient();
        using var get = await SendAsync(emulator, after, HttpMethod.Get, $"/devices/{id}");
        await EmulatorFixture.AssertHubErrorAsync(get, 404, "DeviceNotFound");
        using var stats = await SendAsync(emulator, after, HttpMethod.Get, "/statistics/devices");
        Assert.Equal(0, (long)(await EmulatorFixture.ReadOkAsync(stats))["totalDeviceCount"]!);
        Assert.False(File.Exists(Path.Combine(emulator.DataDir, "iotlabkit.db")));
    }

    [Fact]
    public async Task A_second_emulator_on_the_same_data_dir_fails_fast_with_a_clear_message()
    {
        await using var first = await EmulatorProcess.StartAsync();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => EmulatorProcess.StartAsync(new EmulatorOptions { DataDir = first.DataDir }));
        Assert.Contains("already using the data directory", ex.Message);
    }

    [Fact]
    public async Task Bad_options_fail_fast_with_the_reason()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => EmulatorProcess.StartAsync(new EmulatorOptions { ExtraArguments = ["--hub-name", "x"] }));
        Assert.Contains("hub name", ex.Message);
    }
}
