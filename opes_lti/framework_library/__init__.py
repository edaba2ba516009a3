"""The tool's library of competency frameworks: the shipped ones plus those added."""
