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
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or Microsoft.Data.Sqlite.SqliteException)
        {
            // Start-up problems with the data directory, its files or the database: say what, not where in the code.
            Console.Error.WriteLine($"The emulator could not start: {ex.Message}");
            if (settings.Verbose) Console.Error.WriteLine(ex);
            return 1;
        }
    }
}
