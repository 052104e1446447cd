"""Infrastructure with no product knowledge: settings, logging, errors, time, ids, crypto, testing.

Layer rule: foundation imports nothing from database/, product/, panopticon/, pipeline/ or tools/.
"""
