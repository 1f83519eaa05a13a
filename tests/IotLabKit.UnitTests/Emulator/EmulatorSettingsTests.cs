using IotLabKit.Emulator.Hosting;

namespace IotLabKit.UnitTests.Emulator;

public sealed class EmulatorSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iotlabkit-settings-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Defaults_follow_the_contract()
    {
        var s = EmulatorSettings.Parse([]);
        Assert.Null(s.HttpsPort);
        Assert.Equal("localhost", s.HostName);
        Assert.Equal("iotlabkit", s.HubName);
        Assert.False(s.InMemory);
        Assert.EndsWith(Path.Combine("IotLabKit", "emulator"), s.DataDir);
    }

    [Fact]
    public void Options_are_read_in_both_forms()
    {
        var s = EmulatorSettings.Parse(["--data-dir", _dir, "--https-port=0", "--in-memory", "--host-name", "hub.test", "--hub-name=lab-hub", "--parent-pid", "42", "--verbose", "--status-file", "st.json"]);
        Assert.Equal(_dir, s.DataDir);
        Assert.Equal(0, s.HttpsPort);
        Assert.True(s.InMemory);
        Assert.Equal("hub.test", s.HostName);
        Assert.Equal("lab-hub", s.HubName);
        Assert.Equal(42, s.ParentPid);
        Assert.True(s.Verbose);
        Assert.Equal(Path.GetFullPath("st.json"), s.StatusFile);
    }

    [Fact]
    public void A_config_file_supplies_settings_and_the_command_line_wins()
    {
        var config = Path.Combine(_dir, "emu.json");
        File.WriteAllText(config, "{ \"dataDir\": \"data\", \"httpsPort\": 9443, \"hubName\": \"fromfile\", \"inMemory\": true, // comment\n}");
        var s = EmulatorSettings.Parse(["--config", config, "--hub-name", "fromcli"]);
        Assert.Equal(Path.Combine(_dir, "data"), s.DataDir);
        Assert.Equal(9443, s.HttpsPort);
        Assert.True(s.InMemory);
        Assert.Equal("fromcli", s.HubName);
    }

    [Theory]
    [InlineData("--https-port", "70000", "https-port")]
    [InlineData("--https-port", "x", "https-port")]
    [InlineData("--hub-name", "a", "hub name")]
    [InlineData("--host-name", "bad host", "host name")]
    [InlineData("--parent-pid", "-1", "parent-pid")]
    public void Bad_values_are_explained(string option, string value, string mention)
        => Assert.Contains(mention, Assert.Throws<SettingsException>(() => EmulatorSettings.Parse([option, value])).Message);

    [Fact]
    public void Unknown_options_and_missing_values_are_explained()
    {
        Assert.Contains("--nope", Assert.Throws<SettingsException>(() => EmulatorSettings.Parse(["--nope"])).Message);
        Assert.Contains("needs a value", Assert.Throws<SettingsException>(() => EmulatorSettings.Parse(["--data-dir"])).Message);
        var config = Path.Combine(_dir, "bad.json");
        File.WriteAllText(config, """{"colour":"red"}""");
        Assert.Contains("colour", Assert.Throws<SettingsException>(() => EmulatorSettings.Parse(["--config", config])).Message);
    }
}
