using IotLabKit.Emulator.Hosting;

namespace IotLabKit.Emulator;

/// <summary>The emulator's entry point: parse the options, then run until stopped.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        EmulatorSettings settings;
        try { settings = EmulatorSettings.Parse(args); }
        catch (SettingsException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
        if (settings.ShowHelp)
        {
            Console.Out.WriteLine(EmulatorSettings.Usage);
            return 0;
        }
        try { return await EmulatorHost.RunAsync(settings); }
        catch (SettingsException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }
}
