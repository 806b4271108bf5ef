"""Writes embedded_fonts.pdf: minutes as a word processor exports them, with the fonts
embedded (subsets of Liberation Serif and Sans, TrueType, with their ToUnicode maps), a
running header and page numbers, bold headings, and a second page set in two columns.

Made with fpdf2 (pip install fpdf2==2.8.9) from Debian's fonts-liberation; the PDF is kept
in the repository, so the test needs neither. Run: python3 make_embedded_fonts.py
"""

from fpdf import FPDF

FONTS = "/usr/share/fonts/truetype/liberation"


class Minutes(FPDF):
    def header(self):
        self.set_font("Sans", "", 8)
        self.cell(0, 6, "Town of Birch Falls - Town Board - Minutes of December 1, 2026", align="R")
        self.ln(10)

    def footer(self):
        self.set_y(-12)
        self.set_font("Sans", "", 8)
        self.cell(0, 6, f"Page {self.page_no()} of 2", align="C")


pdf = Minutes(format="Letter")
pdf.add_font("Serif", "", f"{FONTS}/LiberationSerif-Regular.ttf")
pdf.add_font("Serif", "B", f"{FONTS}/LiberationSerif-Bold.ttf")
pdf.add_font("Sans", "", f"{FONTS}/LiberationSans-Regular.ttf")
pdf.set_auto_page_break(False)
pdf.add_page()


def heading(text):
    pdf.set_font("Serif", "B", 12)
    pdf.multi_cell(0, 6, text)
    pdf.ln(2)


def para(text, width=0):
    pdf.set_font("Serif", "", 11)
    pdf.multi_cell(width, 5.5, text)
    pdf.ln(3)


heading("TOWN OF BIRCH FALLS\nREGULAR MEETING OF THE TOWN BOARD")
para("The regular meeting of the Town Board was called to order at 6:30 p.m. by Supervisor "
     "Karen Olsen at the Town Hall.")
para("Present: Supervisor Olsen, Council Members Whitaker, Nguyen, Delgado and Brandt. "
     "Absent: none.")
heading("1. Highway Department")
para("Motion by Council Member Whitaker, seconded by Council Member Nguyen, to approve the "
     "purchase of a plow truck from Northland Equipment for $187,500. Ayes: Olsen, Whitaker, "
     "Nguyen, Delgado. Nays: Brandt. Motion carried 4-1.")
heading("2. Zoning")
para("Motion by Council Member Delgado, seconded by Council Member Brandt, to adopt "
     "Resolution 2026-31 setting a public hearing on the solar farm permit for January 5. "
     "Motion carried 5-0.")

pdf.add_page()
left, right, top, width = 15, 110, pdf.get_y(), 88
pdf.set_xy(left, top)
heading("3. Parks")
pdf.set_x(left)
para("Motion by Council Member Nguyen, seconded by Supervisor Olsen, to raise the beach "
     "parking fee to $8. Ayes: Nguyen. Nays: Olsen, Whitaker, Delgado, Brandt. Motion "
     "failed 1-4.", width)
pdf.set_xy(right, top)
heading("4. Adjournment")
pdf.set_x(right)
para("Motion by Council Member Brandt, seconded by Council Member Delgado, to adjourn. "
     "Motion carried unanimously. The meeting adjourned at 7:48 p.m.", width)
pdf.output("embedded_fonts.pdf")
