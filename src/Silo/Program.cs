using CIOPulse.Silo;

SiloHost.Build(args).Run();
