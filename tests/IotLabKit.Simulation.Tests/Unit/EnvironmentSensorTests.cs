using System.Globalization;
using System.Text.Json.Nodes;
using IotLabKit.Simulation.Sensors;

namespace IotLabKit.Simulation.Tests.Unit;

public sealed class EnvironmentSensorTests
{
    [Fact]
    public void The_same_seed_gives_the_same_readings()
    {
        var a = new EnvironmentSensor(42);
        var b = new EnvironmentSensor(42);
        for (var i = 0; i < 100; i++) Assert.Equal(a.ReadJson(), b.ReadJson());
    }

    [Fact]
    public void Another_seed_gives_other_readings()
    {
        var a = new EnvironmentSensor(1);
        var b = new EnvironmentSensor(2);
        Assert.NotEqual(Enumerable.Range(0, 10).Select(_ => a.ReadJson()), Enumerable.Range(0, 10).Select(_ => b.ReadJson()));
    }

    [Fact]
    public void Readings_stay_near_the_cave_ambient_humidity_never_passes_100_and_have_two_decimals()
    {
        var sensor = new EnvironmentSensor(7);
        for (var i = 0; i < 10_000; i++)
        {
            var (t, h) = sensor.Read();
            Assert.InRange(h, 0, 100);
            Assert.Equal(Math.Round(t, 2), t);
            Assert.Equal(Math.Round(h, 2), h);
        }
        var (first, _) = new EnvironmentSensor(7).Read();
        Assert.InRange(first, EnvironmentSensor.AmbientTemperature - 0.5, EnvironmentSensor.AmbientTemperature + 0.5);
    }

    [Fact]
    public void The_body_is_Lab_15s_json()
    {
        var body = JsonNode.Parse(new EnvironmentSensor(3).ReadJson())!.AsObject();
        Assert.Equal(["temperature", "humidity"], body.Select(p => p.Key));
        Assert.True(double.TryParse(body["temperature"]!.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out _));
    }
}
