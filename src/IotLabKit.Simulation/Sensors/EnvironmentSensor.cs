using System.Globalization;

namespace IotLabKit.Simulation.Sensors;

/// <summary>
/// Temperature and humidity as Lab 15's <c>CheeseCaveSimulator</c> produces them with the fan off: starting at the
/// cave's ambient 70 °F and 99 %, a value below ambient − 1 creeps up by U(0, 0.1) per reading, otherwise it
/// random-walks by ±0.5; humidity never exceeds 100. Readings are rounded to two decimals. The same seed gives the
/// same readings.
/// </summary>
internal sealed class EnvironmentSensor
{
    /// <summary>The cave's ambient temperature in °F (Lab 15).</summary>
    public const double AmbientTemperature = 70;

    /// <summary>The cave's ambient relative humidity in % (Lab 15).</summary>
    public const double AmbientHumidity = 99;

    private readonly Random _random;
    private double _temperature = AmbientTemperature;
    private double _humidity = AmbientHumidity;

    public EnvironmentSensor(int seed) => _random = new Random(seed);

    /// <summary>The next reading.</summary>
    public (double Temperature, double Humidity) Read()
    {
        _temperature = Drift(_temperature, AmbientTemperature);
        _humidity = Math.Min(100, Drift(_humidity, AmbientHumidity));
        return (Math.Round(_temperature, 2), Math.Round(_humidity, 2));
    }

    /// <summary>The next reading as the telemetry body Lab 15 sends: <c>{"temperature":70.33,"humidity":99.23}</c>.</summary>
    public string ReadJson()
    {
        var (t, h) = Read();
        return string.Create(CultureInfo.InvariantCulture, $"{{\"temperature\":{t},\"humidity\":{h}}}");
    }

    private double Drift(double current, double ambient)
        => current < ambient - 1 ? current + _random.NextDouble() / 10 : current + _random.NextDouble() - 0.5;
}
