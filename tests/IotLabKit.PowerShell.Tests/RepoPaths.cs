namespace IotLabKit.PowerShell.Tests;

/// <summary>Files of the repository the tests read (the quiz sources, the schema).</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Quizzes => Path.Combine(Root, "quizzes");

    public static string Module08Source => Path.Combine(Quizzes, "source", "module-08.quiz.json");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IotLabKit.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The tests run outside the repository: IotLabKit.sln not found above " + AppContext.BaseDirectory);
    }
}
