namespace CIOPulse.Tests.Infrastructure;

/// <summary>The repository the tests run from (found by its solution file above the test binaries).</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CIOPulse.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("CIOPulse.sln not found above the test binaries.");
    }
}
