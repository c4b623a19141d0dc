"""Small articles that several extraction test modules start from."""

ARTICLE = """Stem cells ease knee pain in trial

An open-label phase I trial published in Regenerative Medicine in 2020 enrolled eight patients
with knee osteoarthritis. Each received a single injection of autologous adipose-derived
mesenchymal stem cells into the knee joint at 1 × 10⁶ cells per kilogram. Patients were followed
for 12 months. Pain scores improved in 7 of 8 patients (88%). No serious adverse events occurred.
The researchers say the cells may slow cartilage loss."""

TRIAL = (
    "Cells for stroke: a randomised trial\n\n"
    "In a phase 2 trial, 120 adults with ischaemic stroke were randomised to an intravenous "
    "infusion of bone marrow mesenchymal stem cells or placebo. "
)
